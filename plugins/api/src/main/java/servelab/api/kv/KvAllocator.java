package servelab.api.kv;

import org.osgi.annotation.versioning.ConsumerType;

import servelab.api.sched.SeqView;

/**
 * Sizes a sequence's KV allocation. The engine's block pool does the allocating; this policy says how much.
 * Paged allocation (vLLM PagedAttention) holds just enough blocks for the computed tokens; contiguous allocation
 * (the pre-vLLM baseline) reserves the maximum context length at admission.
 */
@ConsumerType
public interface KvAllocator {
    /**
     * Blocks {@code seq} must hold once {@code tokens} of its tokens have KV. Must be at least
     * {@code ceil(tokens / blockSizeTokens)} and must not decrease as {@code tokens} grows.
     */
    int blocksToHold(SeqView seq, int tokens, int blockSizeTokens);

    /** Blocks to keep free when admitting a new sequence, so running ones can grow (a watermark); 0 by default. */
    default int admissionHeadroomBlocks(int totalBlocks) {
        return 0;
    }
}

package servelab.api.batch;

import org.osgi.annotation.versioning.ProviderType;

import servelab.api.Clock;
import servelab.api.sched.SeqView;

/**
 * KV memory as a batcher needs it, in blocks of {@link #blockSizeTokens()} tokens. Numbers describe the state
 * before the plan; a batcher keeps its own ledger as it appends work (see the package example).
 */
@ProviderType
public interface BatchContext {
    Clock clock();

    /** Tokens per KV block (fixed for the run). */
    int blockSizeTokens();

    /** KV blocks on the device. */
    int totalBlocks();

    /** Blocks that can be allocated now: free ones plus cached blocks no sequence references (evictable). */
    int freeBlocks();

    /**
     * Blocks that preempting {@code seq} would make available: the blocks it holds on the device, less those it
     * shares with other sequences through the prefix cache (0 for a waiting sequence).
     */
    int heldBlocks(SeqView seq);

    /**
     * Additional device blocks {@code seq} needs to compute {@code newTokens} more tokens, as the KV allocator
     * policy sizes it; for a waiting sequence this counts its prefix-cache hit and its swapped-out blocks.
     */
    int blocksNeeded(SeqView seq, int newTokens);

    /** Blocks the KV allocator keeps free when a new sequence is admitted (a watermark against thrashing). */
    int admissionHeadroomBlocks();

    /** Prompt tokens of a waiting {@code seq} the prefix cache would serve if it were admitted now. */
    int cachedPrefixTokens(SeqView seq);

    /**
     * Draft tokens the speculator proposed for decoding {@code seq} in this step (0: none). A batcher verifies up to
     * that many with {@link BatchPlan#verify}, each counting as a token of the step, or decodes plainly.
     */
    int draftTokens(SeqView seq);
}

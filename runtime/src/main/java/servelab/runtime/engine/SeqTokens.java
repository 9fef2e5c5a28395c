package servelab.runtime.engine;

import java.util.Arrays;

import servelab.api.kv.TokenBlocks;
import servelab.datasets.TraceRequest;

/**
 * Token identity of one sequence in simulation, where traces carry lengths but no text. Token {@code i} is a
 * deterministic function of the request: inside a trace's prefix block (Mooncake {@code hash_ids}, 512 tokens
 * each) it depends only on the block's id and the offset, so equal ids mean equal tokens and the engine's own
 * prefix cache, at any block size, sees exactly the sharing the trace encodes; everywhere else it depends on the
 * request id, so nothing else is shared. Block keys chain the parent's key with the block's tokens (vLLM's
 * scheme) and are computed lazily and kept, so a cache that never asks costs nothing.
 */
final class SeqTokens implements TokenBlocks {
    private static final long PROMPT_SALT = 0x9E3779B97F4A7C15L;
    private static final long OUTPUT_SALT = 0xC2B2AE3D27D4EB4FL;

    private final Sequence seq;
    private final int blockSize;
    private long[] keys = new long[0];
    private int keyed;

    SeqTokens(Sequence seq, int blockSize) {
        this.seq = seq;
        this.blockSize = blockSize;
    }

    @Override
    public int count() {
        return (seq.promptTokens() + seq.outputTokens) / blockSize;
    }

    @Override
    public int blockSizeTokens() {
        return blockSize;
    }

    @Override
    public long key(int index) {
        if (index < 0 || index >= count()) throw new IndexOutOfBoundsException("block " + index + " of " + count());
        if (index >= keys.length) keys = Arrays.copyOf(keys, Math.max(index + 1, keys.length * 2));
        while (keyed <= index) {
            long h = keyed == 0 ? 0x2545F4914F6CDD1DL : keys[keyed - 1];
            int base = keyed * blockSize;
            for (int j = 0; j < blockSize; j++) h = mix(h * 31 + token(seq.request, base + j));
            keys[keyed++] = h;
        }
        return keys[index];
    }

    @Override
    public int token(int index, int offset) {
        return token(seq.request, index * blockSize + offset);
    }

    /** Token {@code position} of {@code request}'s prompt-then-output sequence. */
    static int token(TraceRequest request, int position) {
        var ids = request.prefixBlockIds();
        if (position < request.inputTokens() && ids.length > 0) {
            int block = position / request.prefixBlockTokens();
            if (block < ids.length) {
                return (int) (mix(ids[block] * PROMPT_SALT + position % request.prefixBlockTokens()) >>> 33);
            }
        }
        return (int) (mix((request.id() + 1) * OUTPUT_SALT + position) >>> 33);
    }

    /** A 64-bit finaliser (the MurmurHash3 fmix64 constants): every input bit affects every output bit. */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}

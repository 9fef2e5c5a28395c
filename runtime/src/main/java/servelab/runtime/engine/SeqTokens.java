package servelab.runtime.engine;

import java.util.Arrays;

import servelab.api.kv.TokenBlocks;

/**
 * Token identity of one sequence in simulation, where traces carry lengths but no text. Token {@code i} is a
 * deterministic function of the request: inside a trace's prefix block (Mooncake {@code hash_ids}, 512 tokens
 * each) it depends only on the block's id and the offset, so equal ids mean equal tokens and the engine's own
 * prefix cache, at any block size, sees exactly the sharing the trace encodes; everywhere else it depends on the
 * request id, so nothing else is shared.
 *
 * <p>A token is a per-block seed (a hash of the trace block's id, or of the request id) plus its offset times an
 * odd constant: distinct within a block, equal exactly where the trace says the content is equal, and one
 * multiply-add to produce once the seed is known. Block keys chain the parent's key with a hash of the block's
 * tokens (vLLM's scheme); they are computed lazily and kept, so a cache that never asks costs nothing.
 *
 * <p>With a real model ({@link TokenSpace}) the same values are folded into the model's ordinary token ids, and
 * output tokens are the ones the model sampled ({@link Sequence#outputIds}); keys then hash those ids, so a cache hit
 * means equal model input.
 */
final class SeqTokens implements TokenBlocks {
    private static final long PROMPT_SALT = 0x9E3779B97F4A7C15L;
    private static final long OUTPUT_SALT = 0xC2B2AE3D27D4EB4FL;
    private static final long STRIDE = 0x9E3779B97F4A7C15L;

    private final Sequence seq;
    private final int blockSize;
    private final long[] ids;
    private final int idTokens;
    private final int inputTokens;
    private final long ownSeed;
    private final TokenSpace space;
    private long[] seeds;
    private long[] keys = new long[0];
    private int keyed;

    SeqTokens(Sequence seq, int blockSize) {
        this(seq, blockSize, null);
    }

    SeqTokens(Sequence seq, int blockSize, TokenSpace space) {
        this.seq = seq;
        this.space = space;
        this.blockSize = blockSize;
        this.ids = seq.request.prefixBlockIds();
        this.idTokens = seq.request.prefixBlockTokens();
        this.inputTokens = seq.request.inputTokens();
        this.ownSeed = mix((seq.request.id() + 1) * OUTPUT_SALT);
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
            long parent = keyed == 0 ? 0x2545F4914F6CDD1DL : keys[keyed - 1];
            keys[keyed] = mix(parent ^ mix(contentHash(keyed * blockSize)));
            keyed++;
        }
        return keys[index];
    }

    /**
     * The block keys of a prompt given as token ids, as a sequence holding those ids computes them ({@link #key}):
     * what a router outside the engine (the serving front) can ask the replicas' prefix caches about.
     */
    static long[] promptKeys(int[] ids, int blockSize) {
        var keys = new long[ids.length / blockSize];
        long parent = 0x2545F4914F6CDD1DL;
        for (int b = 0; b < keys.length; b++) {
            long h = 0;
            for (int pos = b * blockSize; pos < (b + 1) * blockSize; pos++) h = h * 0x100000001B3L + ids[pos];
            keys[b] = parent = mix(parent ^ mix(h));
        }
        return keys;
    }

    /** A polynomial hash of the {@code blockSize} tokens from {@code start}, without a division per token. */
    private long contentHash(int start) {
        long h = 0;
        if (space != null || seq.outputIds != null || seq.promptIds != null) {
            for (int pos = start; pos < start + blockSize; pos++) h = h * 0x100000001B3L + at(pos);
            return h;
        }
        int end = start + blockSize;
        int pos = start;
        while (pos < end) {
            // a run of tokens with one seed: inside one trace block, or past the prompt's trace blocks
            long seed;
            int runEnd;
            int block = idTokens > 0 && pos < inputTokens ? pos / idTokens : ids.length;
            if (block < ids.length) {
                seed = seed(block) - (long) block * idTokens * STRIDE;
                runEnd = Math.min(end, Math.min(inputTokens, (block + 1) * idTokens));
            } else {
                seed = ownSeed;
                runEnd = end;
            }
            for (; pos < runEnd; pos++) h = h * 0x100000001B3L + (int) ((seed + pos * STRIDE) >>> 33);
        }
        return h;
    }

    @Override
    public int token(int index, int offset) {
        return at(index * blockSize + offset);
    }

    /** The token at {@code pos} (prompt, then output). */
    int at(int pos) {
        if (pos >= inputTokens && seq.outputIds != null) return seq.outputIds[pos - inputTokens];
        if (pos < inputTokens && seq.promptIds != null) return seq.promptIds[pos];
        int raw = raw(pos);
        return space == null ? raw : space.map(raw);
    }

    private int raw(int pos) {
        if (idTokens > 0 && pos < inputTokens) {
            int block = pos / idTokens;
            if (block < ids.length) return (int) ((seed(block) + (long) (pos - block * idTokens) * STRIDE) >>> 33);
        }
        return (int) ((ownSeed + pos * STRIDE) >>> 33);
    }

    private long seed(int block) {
        if (seeds == null) {
            seeds = new long[ids.length];
            for (int i = 0; i < ids.length; i++) seeds[i] = mix(ids[i] * PROMPT_SALT);
        }
        return seeds[block];
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

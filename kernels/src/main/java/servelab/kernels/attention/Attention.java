package servelab.kernels.attention;

import servelab.kernels.ops.Softmax;

/**
 * Causal grouped-query attention of one query token over positions {@code 0..length-1} of one sequence's KV cache,
 * for the query heads of one KV head ({@code groupSize} heads starting at query head {@code kvHead * groupSize}).
 * Query and output hold {@code heads * headDim} floats per token, head after head.
 *
 * <p>Causality is the caller's {@code length}: a token at position {@code p} passes {@code p + 1}.
 */
public final class Attention {
    private Attention() {}

    /**
     * Reference: for each query head, every score {@code q . k_t / sqrt(headDim)}, a {@link Softmax#reference} over
     * them, then the probability-weighted sum of the value rows. Rows are found one position at a time through
     * {@link KvCache#rowOffset}, so the same code reads either cache.
     */
    public static void reference(AttentionShape shape, KvCache cache, int layer, KvAddress address, int length, int kvHead,
                                 float[] q, int qOff, float[] out, int outOff) {
        check(shape, cache, length, kvHead);
        int hd = shape.headDim();
        var keys = cache.keys(layer);
        var values = cache.values(layer);
        var scores = new float[length];
        for (int h = kvHead * shape.groupSize(); h < (kvHead + 1) * shape.groupSize(); h++) {
            int qh = qOff + h * hd;
            for (int t = 0; t < length; t++) {
                int row = cache.rowOffset(address, kvHead, t);
                float dot = 0f;
                for (int d = 0; d < hd; d++) {
                    dot += q[qh + d] * keys[row + d];
                }
                scores[t] = dot * shape.scale();
            }
            Softmax.reference(scores, 0, length);
            for (int d = 0; d < hd; d++) {
                float sum = 0f;
                for (int t = 0; t < length; t++) {
                    sum += scores[t] * values[cache.rowOffset(address, kvHead, t) + d];
                }
                out[outOff + h * hd + d] = sum;
            }
        }
    }

    /**
     * Fast path: one pass over the rows with an online softmax (running max and sum, output rescaled when the max
     * grows), in tiles of {@value OnlineSoftmax#TILE} positions, all query heads of the group sharing each key and
     * value row load. A contiguous slot is one run of rows; a paged sequence is one run per block, found through the
     * block table once per block rather than once per position; tiles span blocks, so both do the same work per tile.
     */
    public static void tiled(AttentionShape shape, KvCache cache, int layer, KvAddress address, int length, int kvHead,
                             float[] q, int qOff, float[] out, int outOff) {
        check(shape, cache, length, kvHead);
        var keys = cache.keys(layer);
        var values = cache.values(layer);
        int first = qOff + kvHead * shape.groupSize() * shape.headDim();
        var softmax = new OnlineSoftmax(shape, q, first);
        switch (cache) {
            case ContiguousKvCache contiguous -> softmax.add(keys, values, contiguous.rowOffset(address, kvHead, 0), length);
            case PagedKvCache paged -> {
                var table = PagedKvCache.table(address);
                int blockSize = paged.blockSize();
                for (int start = 0; start < length; start += blockSize) {
                    int base = paged.blockRowOffset(table[start / blockSize], kvHead);
                    softmax.add(keys, values, base, Math.min(blockSize, length - start));
                }
            }
        }
        softmax.flush(keys, values);
        softmax.finish(out, outOff + kvHead * shape.groupSize() * shape.headDim());
    }

    private static void check(AttentionShape shape, KvCache cache, int length, int kvHead) {
        if (shape.kvHeads() != cache.kvHeads() || shape.headDim() != cache.headDim()) {
            throw new IllegalArgumentException(shape + " does not match the cache's " + cache.kvHeads() + " KV heads of "
                    + cache.headDim());
        }
        if (length <= 0) {
            throw new IllegalArgumentException("attention length must be > 0, was " + length);
        }
        if (kvHead < 0 || kvHead >= shape.kvHeads()) {
            throw new IllegalArgumentException("kvHead " + kvHead + " outside 0.." + (shape.kvHeads() - 1));
        }
    }
}

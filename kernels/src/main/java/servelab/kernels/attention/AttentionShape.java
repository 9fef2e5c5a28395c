package servelab.kernels.attention;

/**
 * Head layout of grouped-query attention: query head {@code h} reads KV head {@code h / groupSize()}, so the query
 * heads of one group are adjacent in the query vector.
 *
 * @param heads   query heads
 * @param kvHeads key/value heads, dividing {@code heads}
 * @param headDim floats per head
 */
public record AttentionShape(int heads, int kvHeads, int headDim) {
    public AttentionShape {
        if (heads <= 0 || kvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("AttentionShape sizes must be > 0: heads=" + heads + " kvHeads=" + kvHeads
                    + " headDim=" + headDim);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("AttentionShape.kvHeads (" + kvHeads + ") must divide heads (" + heads + ")");
        }
    }

    /** Query heads per KV head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Scores are {@code q . k / sqrt(headDim)}. */
    public float scale() {
        return (float) (1.0 / Math.sqrt(headDim));
    }
}

package servelab.kernels.attention;

/**
 * Key and value memory for every layer, as one float array per layer and kind. Inside it, the keys of one KV head of
 * one sequence are rows of {@link #headDim()} floats, contiguous within a run (a slot or a block), so the attention
 * kernels read runs with unit stride. Not thread-safe for writes: the forward pass writes each row from one thread.
 */
public sealed interface KvCache permits ContiguousKvCache, PagedKvCache {
    int layers();

    int kvHeads();

    int headDim();

    /** Keys of one layer. */
    float[] keys(int layer);

    /** Values of one layer. */
    float[] values(int layer);

    /** Index in {@link #keys}/{@link #values} of the row of {@code kvHead} at {@code position}. */
    int rowOffset(KvAddress address, int kvHead, int position);

    /**
     * Checks that {@code address} is of this cache's kind and can hold positions {@code 0..positions-1} (block ids in
     * range, table long enough), and throws an {@link IllegalArgumentException} naming what is wrong otherwise.
     */
    void checkCapacity(KvAddress address, int positions);

    /** Writes one position's keys and values, {@code kvHeads * headDim} floats each, head after head. */
    default void store(int layer, KvAddress address, int position, float[] k, int kOff, float[] v, int vOff) {
        var keys = keys(layer);
        var values = values(layer);
        for (int g = 0; g < kvHeads(); g++) {
            int row = rowOffset(address, g, position);
            System.arraycopy(k, kOff + g * headDim(), keys, row, headDim());
            System.arraycopy(v, vOff + g * headDim(), values, row, headDim());
        }
    }

    /** Elements per layer array, checked to fit a Java array. */
    static int layerFloats(String what, long floats) {
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(what + " needs " + floats + " floats per layer, more than one Java array holds ("
                    + (Integer.MAX_VALUE - 16) + ")");
        }
        return (int) floats;
    }
}

package servelab.kernels.attention;

/**
 * A pool of fixed-size blocks addressed through per-sequence block tables (PagedAttention, Kwon et al. 2023): the
 * engine owns which block belongs to which sequence, this class only holds the memory. Layout per layer:
 * {@code [block][kvHead][row][headDim]}, so one head's rows within a block are contiguous.
 */
public final class PagedKvCache implements KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int blockSize;
    private final int blocks;
    private final float[][] keys;
    private final float[][] values;

    public PagedKvCache(int layers, int kvHeads, int headDim, int blockSize, int blocks) {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || blockSize <= 0 || blocks <= 0) {
            throw new IllegalArgumentException("PagedKvCache sizes must be > 0: layers=" + layers + " kvHeads=" + kvHeads
                    + " headDim=" + headDim + " blockSize=" + blockSize + " blocks=" + blocks);
        }
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.blockSize = blockSize;
        this.blocks = blocks;
        int floats = KvCache.layerFloats("PagedKvCache", (long) blocks * kvHeads * blockSize * headDim);
        this.keys = new float[layers][floats];
        this.values = new float[layers][floats];
    }

    @Override public int layers() { return layers; }
    @Override public int kvHeads() { return kvHeads; }
    @Override public int headDim() { return headDim; }
    /** Positions per block. */
    public int blockSize() { return blockSize; }
    /** Blocks in the pool. */
    public int blocks() { return blocks; }
    @Override public float[] keys(int layer) { return keys[layer]; }
    @Override public float[] values(int layer) { return values[layer]; }

    /** Bytes of keys and values one block holds over all layers. */
    public long blockBytes() {
        return 2L * layers * kvHeads * blockSize * headDim * Float.BYTES;
    }

    /**
     * Copies block {@code from} into block {@code to} in every layer (keys and values): copy-on-write when the engine
     * gives a sequence its own copy of a partly filled block it shared.
     */
    public void copyBlock(int from, int to) {
        if (from < 0 || from >= blocks || to < 0 || to >= blocks) {
            throw new IllegalArgumentException("copyBlock(" + from + ", " + to + "): blocks are 0.." + (blocks - 1));
        }
        int floats = kvHeads * blockSize * headDim;
        for (int l = 0; l < layers; l++) {
            System.arraycopy(keys[l], from * floats, keys[l], to * floats, floats);
            System.arraycopy(values[l], from * floats, values[l], to * floats, floats);
        }
    }

    @Override
    public int rowOffset(KvAddress address, int kvHead, int position) {
        int block = table(address)[position / blockSize];
        return blockRowOffset(block, kvHead) + (position % blockSize) * headDim;
    }

    /** Index of row 0 of {@code kvHead} in {@code block}. */
    public int blockRowOffset(int block, int kvHead) {
        return (block * kvHeads + kvHead) * blockSize * headDim;
    }

    @Override
    public void checkCapacity(KvAddress address, int positions) {
        var table = table(address);
        int needed = (positions + blockSize - 1) / blockSize;
        if (needed > table.length) {
            throw new IllegalArgumentException(positions + " positions need " + needed + " blocks of " + blockSize
                    + ", the block table has " + table.length);
        }
        for (int i = 0; i < needed; i++) {
            if (table[i] < 0 || table[i] >= blocks) {
                throw new IllegalArgumentException("block table entry " + i + " is " + table[i] + ", outside the pool of "
                        + blocks + " blocks");
            }
        }
    }

    static int[] table(KvAddress address) {
        return switch (address) {
            case KvAddress.Blocks b -> b.table();
            case KvAddress.Slot s -> throw new IllegalArgumentException("a PagedKvCache is addressed by block table, got " + s);
        };
    }
}

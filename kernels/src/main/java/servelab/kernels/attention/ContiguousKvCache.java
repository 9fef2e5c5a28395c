package servelab.kernels.attention;

/**
 * A fixed number of slots, each reserving {@code capacity} positions: the max-length baseline that paging improves
 * on. Layout per layer: {@code [slot][kvHead][position][headDim]}.
 */
public final class ContiguousKvCache implements KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headDim;
    private final int slots;
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;

    public ContiguousKvCache(int layers, int kvHeads, int headDim, int slots, int capacity) {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || slots <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("ContiguousKvCache sizes must be > 0: layers=" + layers + " kvHeads=" + kvHeads
                    + " headDim=" + headDim + " slots=" + slots + " capacity=" + capacity);
        }
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.slots = slots;
        this.capacity = capacity;
        int floats = KvCache.layerFloats("ContiguousKvCache", (long) slots * kvHeads * capacity * headDim);
        this.keys = new float[layers][floats];
        this.values = new float[layers][floats];
    }

    @Override public int layers() { return layers; }
    @Override public int kvHeads() { return kvHeads; }
    @Override public int headDim() { return headDim; }
    public int slots() { return slots; }
    public int capacity() { return capacity; }
    @Override public float[] keys(int layer) { return keys[layer]; }
    @Override public float[] values(int layer) { return values[layer]; }

    @Override
    public int rowOffset(KvAddress address, int kvHead, int position) {
        return ((slot(address) * kvHeads + kvHead) * capacity + position) * headDim;
    }

    @Override
    public void checkCapacity(KvAddress address, int positions) {
        int slot = slot(address);
        if (slot >= slots) {
            throw new IllegalArgumentException("slot " + slot + " is out of range: the cache has " + slots + " slots");
        }
        if (positions > capacity) {
            throw new IllegalArgumentException("slot " + slot + " holds " + capacity + " positions, " + positions + " needed");
        }
    }

    private static int slot(KvAddress address) {
        return switch (address) {
            case KvAddress.Slot s -> s.index();
            case KvAddress.Blocks b -> throw new IllegalArgumentException("a ContiguousKvCache is addressed by slot, got " + b);
        };
    }
}

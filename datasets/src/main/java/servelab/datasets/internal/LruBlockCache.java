package servelab.datasets.internal;

import java.util.Arrays;

/**
 * The LRU-K statistic: a cache of the K most recently used distinct block ids, fed the trace's blocks in order.
 * Counts two hit ratios: "any" (each block that is in the cache when used) and "prefix" (only the blocks before a
 * request's first miss, which is what a prefix cache can reuse; equal to "any" on Mooncake, whose ids chain).
 *
 * <p>Recency is a doubly linked list over slot numbers ({@code int[] newer, older}), most recent at the head,
 * and an open-addressing index maps an id to its slot, so a use costs O(1) and allocates nothing.
 */
final class LruBlockCache {
    private static final int NONE = -1;

    private final int capacity;
    private final long[] ids;
    private final int[] newer;
    private final int[] older;
    private final SlotIndex index;
    private int size;
    private int head = NONE;
    private int tail = NONE;
    private long hitsAny;
    private long hitsPrefix;
    private boolean prefixIntact;

    LruBlockCache(int capacity) {
        this.capacity = capacity;
        this.ids = new long[capacity];
        this.newer = new int[capacity];
        this.older = new int[capacity];
        this.index = new SlotIndex(capacity);
    }

    void startRequest() {
        prefixIntact = true;
    }

    /** Uses block {@code id}: a hit moves it to most recent, a miss inserts it and evicts the least recent. */
    void use(long id) {
        int slot = index.get(id);
        if (slot != NONE) {
            hitsAny++;
            if (prefixIntact) hitsPrefix++;
            unlink(slot);
        } else {
            prefixIntact = false;
            if (size < capacity) {
                slot = size++;
            } else {
                slot = tail;
                unlink(slot);
                index.remove(ids[slot]);
            }
            ids[slot] = id;
            index.put(id, slot);
        }
        pushFront(slot);
    }

    private void unlink(int slot) {
        int n = newer[slot];
        int o = older[slot];
        if (n != NONE) older[n] = o;
        else head = o;
        if (o != NONE) newer[o] = n;
        else tail = n;
    }

    private void pushFront(int slot) {
        newer[slot] = NONE;
        older[slot] = head;
        if (head != NONE) newer[head] = slot;
        head = slot;
        if (tail == NONE) tail = slot;
    }

    int capacity() {
        return capacity;
    }

    long hitsAny() {
        return hitsAny;
    }

    long hitsPrefix() {
        return hitsPrefix;
    }

    /**
     * id to slot, linear probing in a table at most half full. Removal shifts later entries of the probe run
     * back into the hole (Knuth's Algorithm R), so no tombstones pile up over millions of evictions.
     */
    private static final class SlotIndex {
        private final long[] keys;
        private final int[] slots;
        private final int mask;

        SlotIndex(int capacity) {
            int tableSize = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) * 2;
            keys = new long[tableSize];
            slots = new int[tableSize];
            Arrays.fill(slots, NONE);
            mask = tableSize - 1;
        }

        int get(long key) {
            for (int i = home(key); slots[i] != NONE; i = (i + 1) & mask) {
                if (keys[i] == key) return slots[i];
            }
            return NONE;
        }

        void put(long key, int slot) {
            int i = home(key);
            while (slots[i] != NONE) i = (i + 1) & mask;
            keys[i] = key;
            slots[i] = slot;
        }

        void remove(long key) {
            int hole = home(key);
            while (keys[hole] != key || slots[hole] == NONE) hole = (hole + 1) & mask;
            for (int j = (hole + 1) & mask; slots[j] != NONE; j = (j + 1) & mask) {
                int h = home(keys[j]);
                // entry j may move back to the hole unless its home lies cyclically in (hole, j]
                boolean homeBetween = hole <= j ? hole < h && h <= j : hole < h || h <= j;
                if (!homeBetween) {
                    keys[hole] = keys[j];
                    slots[hole] = slots[j];
                    hole = j;
                }
            }
            slots[hole] = NONE;
        }

        private int home(long key) {
            long z = key * 0x9e3779b97f4a7c15L;
            return (int) (z ^ (z >>> 32)) & mask;
        }
    }
}

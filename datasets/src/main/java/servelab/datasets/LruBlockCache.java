package servelab.datasets;

import servelab.common.collect.IntLruList;
import servelab.common.collect.LongIntMap;

/**
 * The LRU-K statistic: a cache of the K most recently used distinct block ids, fed the trace's blocks in order.
 * Counts two hit ratios: "any" (each block that is in the cache when used) and "prefix" (only the blocks before a
 * request's first miss, which is what a prefix cache can reuse; equal to "any" on Mooncake, whose ids chain).
 *
 * <p>Recency is an {@link IntLruList} over slot numbers, and an open-addressing index maps an id to its slot, so a
 * use costs O(1) and allocates nothing.
 */
final class LruBlockCache {
    private final int capacity;
    private final long[] ids;
    private final IntLruList recency;
    private final LongIntMap index;
    private int size;
    private long hitsAny;
    private long hitsPrefix;
    private boolean prefixIntact;

    LruBlockCache(int capacity) {
        this.capacity = capacity;
        this.ids = new long[capacity];
        this.recency = new IntLruList(capacity);
        this.index = new LongIntMap(capacity);
    }

    void startRequest() {
        prefixIntact = true;
    }

    /** Uses block {@code id}: a hit moves it to most recent, a miss inserts it and evicts the least recent. */
    void use(long id) {
        int slot = index.get(id);
        if (slot != LongIntMap.ABSENT) {
            hitsAny++;
            if (prefixIntact) hitsPrefix++;
            recency.moveToLast(slot);
            return;
        }
        prefixIntact = false;
        if (size < capacity) {
            slot = size++;
        } else {
            slot = recency.first();
            recency.remove(slot);
            index.remove(ids[slot]);
        }
        ids[slot] = id;
        index.put(id, slot);
        recency.addLast(slot);
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
}

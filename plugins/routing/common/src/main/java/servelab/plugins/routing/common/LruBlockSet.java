package servelab.plugins.routing.common;

import java.util.Arrays;

/**
 * A bounded set of block hashes with least-recently-used eviction: a router's estimate of what one replica caches,
 * built from the requests it sent there (llm-d's "estimated" mode, SGLang's approximate tree, Dynamo without KV
 * events). Open addressing with backward-shift deletion for the index, and a doubly linked list over slot numbers
 * for the recency order, so nothing is allocated per operation.
 */
public final class LruBlockSet {
    private static final int NONE = -1;
    private final int capacity;
    private final long[] hashes;   // per entry
    private final int[] prev;      // per entry, towards the least recent
    private final int[] next;      // per entry, towards the most recent
    private final long[] keys;     // per table slot
    private final int[] entries;   // per table slot: entry number or NONE
    private final int mask;
    private int size;
    private int oldest = NONE;
    private int newest = NONE;

    /** @param capacity most blocks kept, at least 1 */
    public LruBlockSet(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("LruBlockSet capacity must be >= 1, was " + capacity);
        this.capacity = capacity;
        hashes = new long[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        int tableSize = Integer.highestOneBit(Math.max(16, capacity * 2 - 1)) << 1;
        keys = new long[tableSize];
        entries = new int[tableSize];
        Arrays.fill(entries, NONE);
        mask = tableSize - 1;
    }

    public int size() {
        return size;
    }

    public boolean contains(long hash) {
        return find(hash) != NONE;
    }

    /** How many leading hashes of {@code blocks[0..count)} are in the set; reads stop at the first miss. */
    public int leadingMatches(servelab.api.route.BlockHashes blocks) {
        int n = blocks.count();
        int i = 0;
        while (i < n && find(blocks.hash(i)) != NONE) i++;
        return i;
    }

    /** Adds {@code hash} as the most recent, evicting the least recent when full; refreshes it when present. */
    public void touch(long hash) {
        int e = find(hash);
        if (e != NONE) {
            unlink(e);
            link(e);
            return;
        }
        if (size == capacity) {
            e = oldest;
            removeKey(hashes[e]);
            unlink(e);
        } else {
            e = size++;
        }
        hashes[e] = hash;
        insertKey(hash, e);
        link(e);
    }

    private int find(long hash) {
        for (int i = slot(hash); ; i = (i + 1) & mask) {
            if (entries[i] == NONE) return NONE;
            if (keys[i] == hash) return entries[i];
        }
    }

    private void insertKey(long hash, int entry) {
        int i = slot(hash);
        while (entries[i] != NONE) i = (i + 1) & mask;
        keys[i] = hash;
        entries[i] = entry;
    }

    private void removeKey(long hash) {
        int i = slot(hash);
        while (keys[i] != hash || entries[i] == NONE) i = (i + 1) & mask;
        // backward shift: move later members of the probe run into the hole, so lookups never need tombstones
        int hole = i;
        for (int j = (i + 1) & mask; entries[j] != NONE; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                entries[hole] = entries[j];
                hole = j;
            }
        }
        entries[hole] = NONE;
    }

    private void link(int e) {
        prev[e] = newest;
        next[e] = NONE;
        if (newest != NONE) next[newest] = e;
        newest = e;
        if (oldest == NONE) oldest = e;
    }

    private void unlink(int e) {
        if (prev[e] != NONE) next[prev[e]] = next[e]; else oldest = next[e];
        if (next[e] != NONE) prev[next[e]] = prev[e]; else newest = prev[e];
    }

    private int slot(long hash) {
        long h = hash * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}

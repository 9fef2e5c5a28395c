package servelab.plugins.routing.common;

import servelab.common.collect.IntLruList;
import servelab.common.collect.LongIntMap;

/**
 * A bounded set of block hashes with least-recently-used eviction: a router's estimate of what one replica caches,
 * built from the requests it sent there (llm-d's "estimated" mode, SGLang's approximate tree, Dynamo without KV
 * events). An open-addressing index from hash to entry and a recency list over entry numbers (both from the
 * common collections library), so nothing is allocated per operation but growth: the arrays grow as the set fills,
 * up to its capacity (a router's {@code estimate_blocks} of 10^8 allocated 4 GB per replica before any request).
 */
public final class LruBlockSet {
    private final int capacity;
    private long[] hashes;   // per entry
    private final IntLruList recency;
    private final LongIntMap entries;
    private int size;

    /** @param capacity most blocks kept, at least 1 */
    public LruBlockSet(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("LruBlockSet capacity must be >= 1, was " + capacity);
        this.capacity = capacity;
        int initial = Math.min(capacity, 1024);
        hashes = new long[initial];
        recency = new IntLruList(initial);
        entries = new LongIntMap(initial);
    }

    public int size() {
        return size;
    }

    public boolean contains(long hash) {
        return entries.get(hash) != LongIntMap.ABSENT;
    }

    /** How many leading hashes of {@code blocks[0..count)} are in the set; reads stop at the first miss. */
    public int leadingMatches(servelab.api.route.BlockHashes blocks) {
        int n = blocks.count();
        int i = 0;
        while (i < n && contains(blocks.hash(i))) i++;
        return i;
    }

    /** Adds {@code hash} as the most recent, evicting the least recent when full; refreshes it when present. */
    public void touch(long hash) {
        int e = entries.get(hash);
        if (e != LongIntMap.ABSENT) {
            recency.moveToLast(e);
            return;
        }
        if (size == capacity) {
            e = recency.first();
            entries.remove(hashes[e]);
            recency.remove(e);
        } else {
            e = size++;
            if (e == hashes.length) { // full below capacity: twice the room, at most the capacity
                int room = (int) Math.min(capacity, 2L * hashes.length);
                hashes = java.util.Arrays.copyOf(hashes, room);
                recency.ensureCapacity(room);
            }
        }
        hashes[e] = hash;
        entries.put(hash, e);
        recency.addLast(e);
    }
}

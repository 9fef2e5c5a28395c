package servelab.datasets.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The LRU-K statistic: a cache of the K most recently used distinct block ids, fed the trace's blocks in order.
 * Counts two hit ratios: "any" (each block that is in the cache when used) and "prefix" (only the blocks before a
 * request's first miss, which is what a prefix cache can reuse; equal to "any" on Mooncake, whose ids chain).
 */
final class LruBlockCache {
    private final int capacity;
    private final LinkedHashMap<Long, Boolean> recent;
    private long hitsAny;
    private long hitsPrefix;
    private boolean prefixIntact;

    LruBlockCache(int capacity) {
        this.capacity = capacity;
        this.recent = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > LruBlockCache.this.capacity;
            }
        };
    }

    void startRequest() {
        prefixIntact = true;
    }

    /** Uses block {@code id}: a hit moves it to most recent, a miss inserts it and evicts the least recent. */
    void use(long id) {
        if (recent.get(id) != null) {
            hitsAny++;
            if (prefixIntact) hitsPrefix++;
        } else {
            prefixIntact = false;
            recent.put(id, Boolean.TRUE);
        }
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

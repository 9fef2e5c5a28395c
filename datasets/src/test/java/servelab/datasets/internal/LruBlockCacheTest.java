package servelab.datasets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LruBlockCacheTest {

    private static LruBlockCache replay(int capacity, long[]... requests) {
        var cache = new LruBlockCache(capacity);
        for (var blocks : requests) {
            cache.startRequest();
            for (long id : blocks) cache.use(id);
        }
        return cache;
    }

    @Test
    void evictsTheLeastRecentlyUsedBlock() {
        // given K = 2: 1, 2 fill it; 3 evicts 1; then 1 misses (and evicts 2)
        var cache = replay(2, new long[]{1, 2}, new long[]{3, 1});
        assertEquals(0, cache.hitsAny());
    }

    @Test
    void aHitRefreshesTheBlock() {
        // given K = 2: 1, 2; a hit on 1 makes 2 the least recent, so 3 evicts 2 and 1 still hits
        var cache = replay(2, new long[]{1, 2}, new long[]{1, 3}, new long[]{1});
        assertEquals(2, cache.hitsAny());
    }

    @Test
    void prefixHitsStopAtTheRequestsFirstMiss() {
        // given K = 3: request 2 misses 3 first, so its hit on 2 is not a prefix hit
        var cache = replay(3, new long[]{1, 2}, new long[]{3, 2});
        assertEquals(1, cache.hitsAny());
        assertEquals(0, cache.hitsPrefix());
    }
}

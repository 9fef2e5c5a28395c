package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.random.RandomGeneratorFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void agreesWithAReferenceLruOnSeededRandomUses(long seed) {
        // reference: LinkedHashMap in access order, evicting the eldest beyond K
        int capacity = 50;
        var reference = new LinkedHashMap<Long, Boolean>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
                return size() > capacity;
            }
        };
        var cache = new LruBlockCache(capacity);
        var random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        long hits = 0;
        cache.startRequest();
        for (int i = 0; i < 20_000; i++) {
            // ids from a skewed range, some far apart, so probe runs wrap and evictions hit every table position
            long id = random.nextBoolean() ? random.nextLong(80) : random.nextLong(80) * 1_000_003L;
            if (reference.get(id) != null) hits++;
            else reference.put(id, Boolean.TRUE);
            cache.use(id);
            assertEquals(hits, cache.hitsAny(), "seed " + seed + ", use " + i + " of id " + id);
        }
    }
}

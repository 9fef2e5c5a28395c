package servelab.plugins.routing.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import servelab.api.route.BlockHashes;

class LruBlockSetTest {

    @Test
    void evictsTheLeastRecentlyTouched() {
        // given: capacity 3, blocks 1, 2, 3 in order, then 1 touched again
        var set = new LruBlockSet(3);
        set.touch(1);
        set.touch(2);
        set.touch(3);
        set.touch(1);
        // when: a fourth block arrives
        set.touch(4);
        // then: 2 (least recent) is gone, 1 stays
        assertFalse(set.contains(2));
        assertTrue(set.contains(1) && set.contains(3) && set.contains(4));
        assertEquals(3, set.size());
    }

    @Test
    void aLargeCapacityIsNotAllocatedBeforeTheBlocksCome() {
        // estimate_blocks' maximum (10^8) allocated about 4 GB per replica at once; a capacity near Integer.MAX_VALUE
        // cannot be allocated at all
        var set = new LruBlockSet(Integer.MAX_VALUE - 16);
        for (long h = 0; h < 5000; h++) set.touch(h * 31);
        assertEquals(5000, set.size());
        assertTrue(set.contains(0) && set.contains(4999 * 31));
    }

    @Test
    void growingPastItsFirstArraysKeepsTheRecencyOrder() {
        // capacity 3000 from arrays of 1024: the LRU order survives each growth
        int capacity = 3000;
        var set = new LruBlockSet(capacity);
        var reference = new LinkedHashMap<Long, Boolean>(16, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) { return size() > capacity; }
        };
        var random = new SplittableRandom(7);
        for (int op = 0; op < 30_000; op++) {
            long hash = random.nextLong(4000);
            set.touch(hash);
            reference.put(hash, true);
        }
        assertEquals(reference.size(), set.size());
        for (long h = 0; h < 4000; h++) assertEquals(reference.containsKey(h), set.contains(h), "block " + h);
    }

    @Test
    void leadingMatchesStopAtTheFirstMiss() {
        var set = new LruBlockSet(8);
        set.touch(10);
        set.touch(11);
        set.touch(13);
        // 10 and 11 lead; 12 is missing, so 13 does not count
        assertEquals(2, set.leadingMatches(BlockHashes.of(16, 10, 11, 12, 13)));
        assertEquals(0, set.leadingMatches(BlockHashes.of(16, 12, 10)));
    }

    /** Seeded random touches against a LinkedHashMap in access order, compared after every operation. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42})
    void behavesAsAnAccessOrderedLinkedHashMap(long seed) {
        int capacity = 37;
        var set = new LruBlockSet(capacity);
        var reference = new LinkedHashMap<Long, Boolean>(16, 0.75f, true) {
            @Override protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) { return size() > capacity; }
        };
        var random = new SplittableRandom(seed);
        for (int op = 0; op < 20_000; op++) {
            long hash = random.nextLong(120) * 0x1000_0000_0001L; // collide in low bits to exercise probing
            set.touch(hash);
            reference.put(hash, true);
            assertEquals(reference.size(), set.size(), "seed " + seed + " op " + op);
            long probe = random.nextLong(120) * 0x1000_0000_0001L;
            assertEquals(reference.containsKey(probe), set.contains(probe), "seed " + seed + " op " + op);
        }
    }
}

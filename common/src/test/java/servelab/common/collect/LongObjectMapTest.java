package servelab.common.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LongObjectMapTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void behavesAsAHashMapUnderSeededPutsAndRemoves(long seed) {
        // given: a reference map and seeded operations on ids from a small range, so keys collide and recur
        var random = new SplittableRandom(seed);
        var map = new LongObjectMap<String>(4);
        var reference = new HashMap<Long, String>();
        for (int op = 0; op < 20_000; op++) {
            long key = random.nextInt(500) * (random.nextBoolean() ? 1L : 1_000_003L);
            // when: put or remove
            if (random.nextInt(3) == 0) {
                map.remove(key);
                reference.remove(key);
            } else {
                map.put(key, "v" + op);
                reference.put(key, "v" + op);
            }
            // then: after every operation, the same size and the same value for the key and a random other
            long probe = random.nextInt(500) * (random.nextBoolean() ? 1L : 1_000_003L);
            String where = "seed " + seed + ", operation " + op;
            assertEquals(reference.size(), map.size(), where);
            assertEquals(reference.get(key), map.get(key), where);
            assertEquals(reference.get(probe), map.get(probe), where);
        }
    }

    @Test
    void nullValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LongObjectMap<String>(1).put(1, null));
    }
}

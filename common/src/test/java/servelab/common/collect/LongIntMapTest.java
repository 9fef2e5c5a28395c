package servelab.common.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class LongIntMapTest {
    /** Random puts and removes over a small key range (long probe runs, many backward shifts) agree with a HashMap. */
    @Test
    void agreesWithAHashMapUnderRandomOperations() {
        for (long seed = 0; seed < 20; seed++) {
            var random = new SplittableRandom(seed);
            var map = new LongIntMap(4);
            var expected = new HashMap<Long, Integer>();
            for (int op = 0; op < 5_000; op++) {
                long key = random.nextInt(300) * 0x100000000L; // keys that differ only in high bits collide more
                int value = random.nextInt(1000);
                switch (random.nextInt(6)) {
                    case 0, 1 -> assertEquals(expected.computeIfAbsent(key, k -> value).intValue(), map.putIfAbsent(key, value));
                    case 4 -> {
                        Integer old = expected.put(key, value);
                        assertEquals(old == null ? -1 : old, map.put(key, value));
                    }
                    case 5 -> {
                        Integer old = expected.remove(key);
                        assertEquals(old == null ? -1 : old, map.remove(key));
                    }
                    case 2 -> {
                        int current = expected.getOrDefault(key, -1);
                        int asked = random.nextBoolean() ? current : value; // a remove of another value keeps the key
                        map.remove(key, asked);
                        if (current >= 0 && asked == current) expected.remove(key);
                    }
                    default -> {
                        if (random.nextInt(50) == 0) {
                            map.clear();
                            expected.clear();
                        }
                    }
                }
                assertEquals(expected.size(), map.size(), "seed " + seed + ", operation " + op);
            }
            for (long k = 0; k < 300; k++) {
                long key = k * 0x100000000L;
                assertEquals(expected.getOrDefault(key, -1).intValue(), map.get(key), "seed " + seed + ", key " + k);
            }
        }
    }

    @Test
    void negativeValuesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LongIntMap(4).putIfAbsent(1, -1));
    }
}

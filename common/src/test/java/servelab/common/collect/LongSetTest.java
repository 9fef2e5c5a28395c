package servelab.common.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LongSetTest {
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void agreesWithAHashSetWhileGrowing(long seed) {
        var random = new SplittableRandom(seed);
        var set = new LongSet(2);
        var reference = new HashSet<Long>();
        for (int op = 0; op < 50_000; op++) {
            long key = random.nextLong(20_000) << (random.nextBoolean() ? 0 : 32); // sequential ids and high bits
            assertEquals(reference.add(key), set.add(key), "seed " + seed + ", operation " + op);
            assertEquals(reference.size(), set.size());
            long probe = random.nextLong(20_000);
            assertEquals(reference.contains(probe), set.contains(probe));
        }
    }
}

package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Counting repeated values instead of sorting them gives the sorted array's figures to the last bit. */
class RepeatedValuesTest {

    @Test
    void countsEachDistinctValueInSortedOrderWithMinusZeroBeforeZero() {
        // given: 0.0, -0.0 and 2.5 repeated
        double[] xs = {2.5, 0.0, -0.0, 2.5, 0.0, 2.5};
        // when
        var r = RepeatedValues.of(xs, 8);
        // then: in Arrays.sort's order, each with its count
        assertArrayEquals(new double[] {-0.0, 0.0, 2.5}, r.values);
        assertArrayEquals(new long[] {1, 2, 3}, r.counts);
        assertEquals(2.5, r.at(3));
        assertEquals(-0.0, r.at(0));
    }

    @Test
    void givesUpPastTheLimitOfDistinctValues() {
        assertNull(RepeatedValues.of(new double[] {1, 2, 3, 4}, 3));
    }

    /** Seeded arrays above the size where counting starts: a simulation's few gap values, or nearly all distinct. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void statsEqualThoseOfTheSortedArray(long seed) {
        var random = new SplittableRandom(seed);
        int n = (1 << 16) + random.nextInt(100_000);
        int distinct = seed % 3 == 0 ? n : 1 + random.nextInt(5_000); // every third: too many distinct to count
        double[] pool = new double[distinct];
        for (int i = 0; i < distinct; i++) {
            pool[i] = switch (i % 4) {
                case 0 -> random.nextDouble() * 1e-3;
                case 1 -> random.nextDouble() * 50;
                case 2 -> i % 8 == 2 ? -0.0 : 0.0;
                default -> Math.scalb(random.nextDouble(), random.nextInt(-30, 30));
            };
        }
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) xs[i] = pool[random.nextInt(distinct)];
        assertEquals(sortedStats(xs.clone()), Stats.of(xs.clone()), "seed " + seed + ", n " + n + ", pool " + distinct);
    }

    /** numpy's figures over the sorted values, summed in sorted order: what Stats.of computed before counting. */
    private static Stats sortedStats(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        double sum = 0;
        for (double v : values) sum += v;
        double mean = sum / n;
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        return new Stats(n, mean, Stats.percentile(values, 50), Math.sqrt(squares / n), Stats.percentile(values, 90),
                Stats.percentile(values, 99));
    }
}

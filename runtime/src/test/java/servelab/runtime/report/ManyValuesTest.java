package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Property: whatever is kept in memory, the stats are those of sorting every value: the percentiles exactly, the
 * mean and deviation up to summation order. The seeds mix spreads, signs, zeros and heavy repeats (a simulation
 * repeats step times), and the limits force every path: collecting a small bucket, narrowing to the last 16 bits.
 */
class ManyValuesTest {

    @ParameterizedTest(name = "seed {0}, {1} values, kind {2}, keep {3}, collect {4}")
    @CsvSource({
            "1, 5000, spread, 10, 1000",
            "2, 5000, spread, 10, 0",
            "3, 5000, repeats, 10, 0",
            "4, 5000, repeats, 100, 50",
            "5, 5000, signs, 10, 0",
            "6, 5000, signs, 10, 64",
            "7, 2, spread, 1, 0",
            "8, 1, repeats, 0, 0",
            "9, 20000, repeats, 4999, 3",
            "10, 5000, tiny-steps, 10, 0"})
    void passesGiveWhatSortingGives(long seed, int n, String kind, int keep, int collect) throws IOException {
        var rng = new SplittableRandom(seed);
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = switch (kind) {
                case "spread" -> Math.exp(rng.nextDouble(-5, 8));
                case "repeats" -> rng.nextInt(7) * 12.5;                       // a few distinct gaps, many times each
                case "signs" -> rng.nextInt(5) == 0 ? (rng.nextBoolean() ? 0.0 : -0.0) : rng.nextDouble(-1e3, 1e3);
                case "tiny-steps" -> 1.0 + rng.nextInt(1000) * Math.ulp(1.0); // differ only in the lowest bits
                default -> throw new IllegalArgumentException(kind);
            };
        }
        var pool = new ManyValues(keep, collect);
        for (double x : xs) pool.add(x);
        int[] passes = {0};
        var got = pool.stats(each -> {
            passes[0]++;
            for (double x : xs) each.accept(x);
        });
        var want = Stats.of(xs.clone());
        // then: the percentiles are the sorted values' exactly, and the count matches
        assertEquals(want.count(), got.count());
        assertEquals(want.median(), got.median(), 0.0, "median");
        assertEquals(want.p90(), got.p90(), 0.0, "p90");
        assertEquals(want.p99(), got.p99(), 0.0, "p99");
        assertEquals(want.mean(), got.mean(), 1e-9 * Math.max(1, Math.abs(want.mean())), "mean");
        assertEquals(want.std(), got.std(), 1e-9 * Math.max(1, want.std()), "std");
        // and the source was read again only when the values did not fit: at most 4 passes (64 bits, 16 a pass)
        if (n <= keep) assertEquals(0, passes[0]);
        else assertEquals(true, passes[0] >= 1 && passes[0] <= 4, passes[0] + " passes");
    }

    /** A request's gaps added at once are the same pool as added one by one: count, sum and order, to the last bit. */
    @ParameterizedTest(name = "keep {0}")
    @CsvSource({"1000", "37", "5", "0"})
    void addAllIsAddOneByOne(int keep) throws IOException {
        var rng = new SplittableRandom(3);
        double[][] lists = new double[40][];
        for (int i = 0; i < lists.length; i++) {
            lists[i] = new double[rng.nextInt(4)];
            for (int k = 0; k < lists[i].length; k++) lists[i][k] = Math.exp(rng.nextDouble(-3, 6));
        }
        var one = new ManyValues(keep, 4);
        var all = new ManyValues(keep, 4);
        for (double[] xs : lists) {
            for (double x : xs) one.add(x);
            all.addAll(xs);
        }
        ManyValues.Source again = each -> {
            for (double[] xs : lists) for (double x : xs) each.accept(x);
        };
        assertEquals(one.stats(again), all.stats(again));
    }
}

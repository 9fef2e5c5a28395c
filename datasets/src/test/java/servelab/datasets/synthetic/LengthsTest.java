package servelab.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;

/** Length distributions, checked on 100,000 seeded draws; tolerances are several standard errors. */
class LengthsTest {
    private static final int N = 100_000;

    private static int[] draw(Lengths lengths, long seed) {
        return SyntheticTrace.of(new Arrivals.Poisson(1), lengths, new Lengths.Fixed(1), N, seed).stream()
                .mapToInt(TraceRequest::inputTokens).toArray();
    }

    private static double mean(int[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }

    @Test
    void fixedIsAlwaysItsValue() {
        assertTrue(Arrays.stream(draw(new Lengths.Fixed(77), 1)).allMatch(v -> v == 77));
    }

    @Test
    void aClampedLogNormalsMeanIsWhatItsDrawsAverage() {
        // the clamps move the mean: sigma 2 in [16, 6144] averages about 542 for a mean of 800 asked
        for (var l : List.of(Lengths.LogNormal.ofMean(800, 2.0, 16, 6144), Lengths.LogNormal.ofMean(800, 0.9, 16, 6144),
                Lengths.LogNormal.ofMean(1000, 1.5, 1, 8000), Lengths.LogNormal.ofMean(10, 0.5, 16, 6144))) {
            var values = draw(l, 11);
            // rounding to whole tokens moves the mean by under half a token; the sample's standard error is < 1%
            assertEquals(l.clampedMean(), mean(values), 0.02 * l.clampedMean() + 0.5, l.toString());
        }
        assertEquals(0.5, Lengths.LogNormal.phi(0), 1e-7);
        assertEquals(0.9750021, Lengths.LogNormal.phi(1.96), 1e-6);
    }

    @Test
    void uniformCoversItsBoundsWithTheMidpointAsMean() {
        var values = draw(new Lengths.Uniform(10, 20), 2);
        assertEquals(10, Arrays.stream(values).min().orElseThrow());
        assertEquals(20, Arrays.stream(values).max().orElseThrow());
        // standard error of the mean: sqrt((11^2 - 1) / 12) / sqrt(n) = 0.01
        assertEquals(15.0, mean(values), 0.05);
    }

    @Test
    void zipfHasItsPowerLawRatioAndExactMean() {
        double s = 1.2;
        int max = 1000;
        var values = draw(new Lengths.Zipf(s, max), 3);
        // P(1) / P(2) = 2^s = 2.297; the count of 2s is about 19,000, so the ratio's standard error is about 1%
        long ones = Arrays.stream(values).filter(v -> v == 1).count();
        long twos = Arrays.stream(values).filter(v -> v == 2).count();
        assertEquals(Math.pow(2, s), (double) ones / twos, Math.pow(2, s) * 0.05);
        assertTrue(Arrays.stream(values).allMatch(v -> v >= 1 && v <= max));
        double norm = 0;
        double expected = 0;
        for (int k = 1; k <= max; k++) {
            norm += Math.pow(k, -s);
            expected += k * Math.pow(k, -s);
        }
        expected /= norm;
        // the mean (about 24.7) has a standard deviation near 83, so a standard error near 0.26
        assertEquals(expected, mean(values), 1.5);
    }

    @Test
    void logNormalHasItsMedianAndStaysWithinItsClamp() {
        var values = draw(new Lengths.LogNormal(500, 1.0, 16, 4096), 4);
        var sorted = values.clone();
        Arrays.sort(sorted);
        // the sample median's standard error is about 1.25 * sigma / sqrt(n) = 0.4% relative
        assertEquals(500, sorted[N / 2], 500 * 0.02);
        assertEquals(16, sorted[0]);
        assertEquals(4096, sorted[N - 1]);
    }

    @Test
    void logNormalOfMeanHasThatMeanWhenTheClampIsFarAway() {
        // sigma 0.5: the mean's standard error is sqrt(exp(0.25) - 1) / sqrt(n) = 0.17% relative
        var values = draw(Lengths.LogNormal.ofMean(300, 0.5, 1, 1_000_000), 5);
        assertEquals(300, mean(values), 300 * 0.01);
    }

    @Test
    void empiricalDrawsOnlyObservedValues() {
        var values = draw(new Lengths.Empirical(new int[]{3, 30, 300}), 6);
        assertEquals(new HashSet<>(List.of(3, 30, 300)), new HashSet<>(Arrays.stream(values).boxed().toList()));
    }

    @Test
    void resamplingKeepsInputAndOutputTogether() {
        var source = List.of(TraceRequest.of(0, 0, 100, 1), TraceRequest.of(1, 5, 7, 900), TraceRequest.of(2, 9, 50, 50));
        var trace = SyntheticTrace.of(new Arrivals.Poisson(2), LengthModel.Resampled.from(source), 10_000, 7);
        var pairs = new HashSet<List<Integer>>();
        trace.forEach(r -> pairs.add(List.of(r.inputTokens(), r.outputTokens())));
        assertEquals(new HashSet<>(List.of(List.of(100, 1), List.of(7, 900), List.of(50, 50))), pairs);
    }

    @Test
    void invalidLengthsNameTheFieldTheValueAndWhatIsAllowed() {
        assertEquals("Uniform.max must be >= min (5), was 2",
                assertThrows(IllegalArgumentException.class, () -> new Lengths.Uniform(5, 2)).getMessage());
        assertEquals("Zipf.max must be in [1, 4194304], was 0",
                assertThrows(IllegalArgumentException.class, () -> new Lengths.Zipf(1, 0)).getMessage());
        assertEquals("Empirical.values must all be >= 1, values[1] was 0",
                assertThrows(IllegalArgumentException.class, () -> new Lengths.Empirical(new int[]{1, 0})).getMessage());
    }
}

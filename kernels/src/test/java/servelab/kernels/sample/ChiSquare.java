package servelab.kernels.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pearson's chi-square goodness-of-fit test at significance 0.001. The tests draw from seeded generators, so each
 * outcome is fixed: a correct sampler fails one of these with probability 0.001 per seed, once, when the seed is
 * chosen, and never flakes afterwards. A wrong sampler (a distribution off by a few percent) fails at the trial
 * counts used here (tens of thousands) with near certainty.
 */
final class ChiSquare {
    /** Upper 0.001 quantiles of chi-square with 1..10 degrees of freedom. */
    private static final double[] CRITICAL_0_001 = {10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588};

    private ChiSquare() {}

    /** Asserts that {@code counts} fit {@code expected} (probabilities); cells of probability 0 must be empty. */
    static void assertFits(double[] expected, long[] counts, String what) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double statistic = 0;
        int cells = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i] == 0) {
                assertEquals(0, counts[i], what + ": token " + i + " has probability 0 but was drawn");
                continue;
            }
            double e = expected[i] * total;
            assertTrue(e >= 5, what + ": expected count " + e + " too small for the chi-square approximation");
            statistic += (counts[i] - e) * (counts[i] - e) / e;
            cells++;
        }
        double critical = CRITICAL_0_001[cells - 2];
        double chi = statistic;
        int df = cells - 1;
        assertTrue(chi < critical, () -> what + ": chi-square " + chi + " >= " + critical + " (df " + df + "), counts "
                + java.util.Arrays.toString(counts));
    }

    static double[] normalized(double... weights) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        var p = new double[weights.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = weights[i] / sum;
        }
        return p;
    }
}

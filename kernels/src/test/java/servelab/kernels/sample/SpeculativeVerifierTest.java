package servelab.kernels.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class SpeculativeVerifierTest {
    private static final int TRIALS = 60_000;
    /** Target distributions at the three positions (k = 2 drafts plus the bonus position), and the draft's two. */
    private static final float[][] TARGET = {
        {0.10f, 0.40f, 0.05f, 0.25f, 0.20f},
        {0.30f, 0.05f, 0.35f, 0.10f, 0.20f},
        {0.20f, 0.20f, 0.20f, 0.20f, 0.20f},
    };
    private static final float[][] DRAFT = {
        {0.30f, 0.10f, 0.30f, 0.20f, 0.10f},
        {0.05f, 0.40f, 0.25f, 0.25f, 0.05f},
    };

    private static double[] asDoubles(float[] p) {
        var d = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            d[i] = p[i];
        }
        return d;
    }

    @Test
    void rejectionSamplingLeavesTheTargetDistributionUnchanged() {
        var random = new SplittableRandom(2023);
        var first = new long[5];
        var second = new long[5];
        long acceptedFirst = 0;
        for (int t = 0; t < TRIALS; t++) {
            // the draft model samples its k = 2 tokens from its own distributions
            int[] draft = {SeededSampler.draw(DRAFT[0], random), SeededSampler.draw(DRAFT[1], random)};
            var verification = SpeculativeVerifier.rejection(draft, DRAFT, TARGET, random);
            first[verification.tokens()[0]]++;
            if (verification.tokens().length >= 2) {
                second[verification.tokens()[1]]++;
            }
            if (verification.accepted() >= 1) {
                acceptedFirst++;
            }
        }
        // then: the first emitted token follows the target at position 1, and the second (when there is one, i.e. the
        // first draft was accepted) follows the target at position 2, exactly as if the target had sampled them
        ChiSquare.assertFits(asDoubles(TARGET[0]), first, "first token");
        ChiSquare.assertFits(asDoubles(TARGET[1]), second, "second token");
        // and a draft is accepted with probability sum_x min(p(x), q(x)) = 0.1 + 0.1 + 0.05 + 0.2 + 0.1 = 0.55
        double rate = (double) acceptedFirst / TRIALS;
        double sigma = Math.sqrt(0.55 * 0.45 / TRIALS);
        assertTrue(Math.abs(rate - 0.55) < 5 * sigma, "acceptance rate " + rate);
    }

    @Test
    void rejectionSamplingOfDeterministicDraftsAlsoKeepsTheTarget() {
        var random = new SplittableRandom(7);
        var first = new long[5];
        for (int t = 0; t < TRIALS; t++) {
            // an n-gram speculator always proposes token 1, then token 2
            first[SpeculativeVerifier.rejection(new int[] {1, 2}, TARGET, random).tokens()[0]]++;
        }
        ChiSquare.assertFits(asDoubles(TARGET[0]), first, "first token after a one-hot draft");
    }

    @Test
    void verificationByDrawKeepsTheTargetAndEachPositionsTokenIsItsOwnDraw() {
        var random = new SplittableRandom(11);
        var first = new long[5];
        var second = new long[5];
        long kept = 0;
        for (int t = 0; t < TRIALS; t++) {
            double[] u = {random.nextDouble(), random.nextDouble(), random.nextDouble()};
            var verification = SpeculativeVerifier.rejectionByDraw(new int[] {1, 2}, TARGET, u);
            int[] tokens = verification.tokens();
            first[tokens[0]]++;
            if (tokens.length >= 2) second[tokens[1]]++;
            if (verification.accepted() >= 1) kept++;
            // each position's token is plain sampling's draw with that position's uniform, whatever the drafts
            for (int i = 0; i < tokens.length; i++) assertEquals(SeededSampler.draw(TARGET[i], u[i]), tokens[i]);
            assertEquals(tokens[0], SpeculativeVerifier.rejectionByDraw(new int[] {4, 4}, TARGET, u).tokens()[0]);
            assertEquals(tokens[0], SpeculativeVerifier.rejectionByDraw(new int[0], new float[][] {TARGET[0]},
                    new double[] {u[0]}).tokens()[0], "no drafts at all: the same token");
        }
        // a one-hot draft x is kept with probability p(x) = 0.40, and the emitted tokens follow the target
        ChiSquare.assertFits(asDoubles(TARGET[0]), first, "first token");
        ChiSquare.assertFits(asDoubles(TARGET[1]), second, "second token");
        double rate = (double) kept / TRIALS;
        assertTrue(Math.abs(rate - 0.40) < 5 * Math.sqrt(0.40 * 0.60 / TRIALS), "acceptance rate " + rate);
    }

    @Test
    void greedyMatchAcceptsWhileDraftsEqualTheTargetArgmax() {
        // argmax of each target row: 1, 2, 0 (rows of a 5-token vocabulary, back to back)
        var logits = new float[15];
        logits[1] = 5;
        logits[5 + 2] = 5;
        logits[10] = 5;
        assertEquals(new Verification(2, new int[] {1, 2, 0}).toString(),
                SpeculativeVerifier.greedy(new int[] {1, 2}, logits, 0, 5).toString());
        // the first draft is wrong: nothing accepted, the target's own choice appended
        var rejected = SpeculativeVerifier.greedy(new int[] {3, 2}, logits, 0, 5);
        assertEquals(0, rejected.accepted());
        assertArrayEquals(new int[] {1}, rejected.tokens());
        var second = SpeculativeVerifier.greedy(new int[] {1, 4}, logits, 0, 5);
        assertArrayEquals(new int[] {1, 2}, second.tokens());
    }

    @Test
    void greedyMatchFromTheTargetsGreedyTokensAloneGivesTheSameVerification() {
        var logits = new float[15];
        logits[1] = 5;
        logits[5 + 2] = 5;
        logits[10] = 5;
        int[] best = {1, 2, 0};   // what a device pass brings back instead of the logits
        for (int[] draft : new int[][] {{1, 2}, {3, 2}, {1, 4}}) {
            assertEquals(SpeculativeVerifier.greedy(draft, logits, 0, 5).toString(),
                    SpeculativeVerifier.greedy(draft, best).toString(), java.util.Arrays.toString(draft));
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> SpeculativeVerifier.greedy(new int[] {1, 2}, new int[] {1, 2}));
        assertEquals("2 drafts need 3 rows, got 2", e.getMessage());
    }
}

package servelab.kernels.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final int TRIALS = 40_000;
    /** Probabilities of six tokens; the logits are their logarithms, so softmax at temperature 1 gives them back. */
    private static final double[] P = {0.04, 0.25, 0.10, 0.40, 0.06, 0.15};

    private static float[] logits(double[] p) {
        var logits = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            logits[i] = (float) Math.log(p[i]) + 3f; // a shift changes nothing
        }
        return logits;
    }

    private static long[] draw(SamplingParams params, long seed) {
        var sampler = SeededSampler.of(params, seed);
        var logits = logits(P);
        var counts = new long[P.length];
        for (int t = 0; t < TRIALS; t++) {
            counts[sampler.sample(logits, 0, logits.length)]++;
        }
        return counts;
    }

    private static double[] power(double[] p, double exponent) {
        var w = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            w[i] = Math.pow(p[i], exponent);
        }
        return ChiSquare.normalized(w);
    }

    @Test
    void logitsWithANaNAreRefusedNotAnsweredWithTokenZero() {
        // a NaN in the weights (a corrupt file) made every logit NaN, and argmax answered token 0 at every position
        float[] all = {Float.NaN, Float.NaN, Float.NaN};
        var e = assertThrows(Sampler.NonFiniteLogitsException.class, () -> Sampler.argmax(all, 0, 3));
        assertEquals("the model's logits hold NaN (3 of 3 tokens, the first token 0): its weights, or what was computed"
                + " from them, are not numbers", e.getMessage());
        float[] one = {1f, Float.NaN, 0.5f};
        assertThrows(Sampler.NonFiniteLogitsException.class, () -> Sampler.argmax(one, 0, 3));
        // sampling too, which said only "no token has a positive probability"
        var sampler = SeededSampler.of(new SamplingParams(0.8f, 0, 1f, 0f), 1);
        assertThrows(Sampler.NonFiniteLogitsException.class, () -> sampler.sample(all, 0, 3));
        // infinities are values: a masked logit is -inf
        assertEquals(1, Sampler.argmax(new float[] {Float.NEGATIVE_INFINITY, 2f, 1f}, 0, 3));
    }

    @Test
    void argmaxTakesTheFirstOfEqualMaxima() {
        assertEquals(1, Sampler.ARGMAX.sample(new float[] {9, 0, 5, 1, 5}, 1, 4));
        assertEquals(3, Sampler.ARGMAX.sample(logits(P), 0, 6));
        assertEquals(3, SeededSampler.of(SamplingParams.greedy(), 1).sample(logits(P), 0, 6));
    }

    @Test
    void temperatureOneSamplesTheSoftmax() {
        ChiSquare.assertFits(P, draw(SamplingParams.temperature(1), 11), "T=1");
    }

    @Test
    void temperatureRaisesProbabilitiesToOneOverT() {
        // softmax(log p / T) is proportional to p^(1/T)
        ChiSquare.assertFits(power(P, 2), draw(SamplingParams.temperature(0.5f), 12), "T=0.5");
        ChiSquare.assertFits(power(P, 0.5), draw(SamplingParams.temperature(2), 13), "T=2");
    }

    @Test
    void topKKeepsTheKMostLikely() {
        // the three most likely: 0.40, 0.25, 0.15
        ChiSquare.assertFits(ChiSquare.normalized(0, 0.25, 0, 0.40, 0, 0.15), draw(new SamplingParams(1, 3, 1, 0), 14), "top-k 3");
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // 0.40 < 0.6 <= 0.40 + 0.25: the nucleus is two tokens
        ChiSquare.assertFits(ChiSquare.normalized(0, 0.25, 0, 0.40, 0, 0), draw(new SamplingParams(1, 0, 0.6f, 0), 15), "top-p 0.6");
        // 0.9 needs 0.40 + 0.25 + 0.15 + 0.10
        ChiSquare.assertFits(ChiSquare.normalized(0, 0.25, 0.10, 0.40, 0, 0.15), draw(new SamplingParams(1, 0, 0.9f, 0), 16),
                "top-p 0.9");
    }

    @Test
    void topPWithoutTopKIsTopPOfTheWholeRowNotOfTheTokensItSorts() {
        // 0.45 < 0.5 <= 0.45 + 0.30; the 0.25 token is below the sort's cutoff (0.5 / 2), and top-p was taken of the
        // sorted tokens' 0.75 only, so 0.45 alone reached it
        var small = new SamplingParams(1, 0, 0.5f, 0).probabilities(logits(new double[] {0.45, 0.30, 0.25}), 0, 3);
        assertArrayEquals(new float[] {0.6f, 0.4f, 0}, small, 1e-6f);
        // a vocabulary's long tail: 0.80, twenty of 0.0075, 128,000 sharing 0.05; top-p 0.9 needs 0.80 + 14 x 0.0075
        int tail = 128_000;
        var p = new double[1 + 20 + tail];
        p[0] = 0.80;
        for (int i = 1; i <= 20; i++) p[i] = 0.0075;
        for (int i = 21; i < p.length; i++) p[i] = 0.05 / tail;
        var alone = new SamplingParams(1, 0, 0.9f, 0).probabilities(logits(p), 0, p.length);
        var withTopK = new SamplingParams(1, p.length, 0.9f, 0).probabilities(logits(p), 0, p.length);
        assertEquals(15, kept(alone));
        assertArrayEquals(withTopK, alone); // top-k over the whole vocabulary is no filter
    }

    @Test
    void aTinyTopPOverANearlyFlatRowKeepsTheMostLikelyTokenNotTokenZero() {
        // every probability at or below the sort's cutoff (top-p at most 1/n): nothing was sorted, and token 0 was kept
        var tiny = new SamplingParams(1, 0, 0.3f, 0);
        assertArrayEquals(new float[] {0, 1}, tiny.probabilities(new float[] {0f, 0.4f}, 0, 2));
        assertArrayEquals(new SamplingParams(1, 2, 0.3f, 0).probabilities(new float[] {0f, 0.4f}, 0, 2),
                tiny.probabilities(new float[] {0f, 0.4f}, 0, 2));
        float[] four = {(float) Math.log(0.1), (float) Math.log(0.4), (float) Math.log(0.25), (float) Math.log(0.25)};
        assertArrayEquals(new float[] {0, 1, 0, 0}, new SamplingParams(1, 0, 0.1f, 0).probabilities(four, 0, 4));
        // a NaN is refused here too (the speculative verifier reads probabilities without argmax first)
        assertThrows(Sampler.NonFiniteLogitsException.class,
                () -> tiny.probabilities(new float[] {1f, Float.NaN, 2f}, 0, 3));
    }

    private static int kept(float[] p) {
        int n = 0;
        for (float v : p) if (v > 0) n++;
        return n;
    }

    @Test
    void anInfiniteLogitTakesAllTheProbabilityAndAllMaskedIsRefused() {
        // exp(inf - inf) made every probability NaN: "no token has a positive probability"
        float[] infinite = {0f, Float.POSITIVE_INFINITY, 1f};
        var sampling = new SamplingParams(1, 0, 0.9f, 0);
        assertArrayEquals(new float[] {0, 1, 0}, sampling.probabilities(infinite, 0, 3));
        assertEquals(1, SeededSampler.of(sampling, 3).sample(infinite, 0, 3));
        // every token masked: greedy answered token 0, sampling said "no token has a positive probability"
        float[] masked = {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY};
        var greedy = assertThrows(Sampler.NonFiniteLogitsException.class, () -> Sampler.argmax(masked, 0, 2));
        assertEquals("the model's logits are -infinity for all 2 tokens: no token can be chosen", greedy.getMessage());
        assertThrows(Sampler.NonFiniteLogitsException.class, () -> SeededSampler.of(sampling, 3).sample(masked, 0, 2));
        assertThrows(Sampler.NonFiniteLogitsException.class, () -> sampling.probabilities(masked, 0, 2));
    }

    @Test
    void minPKeepsTokensAtLeastMinPTimesTheMost() {
        // 0.3 x 0.40 = 0.12: keeps 0.40, 0.25 and 0.15
        ChiSquare.assertFits(ChiSquare.normalized(0, 0.25, 0, 0.40, 0, 0.15), draw(new SamplingParams(1, 0, 1, 0.3f), 17), "min-p 0.3");
    }

    @Test
    void filtersApplyInOrderTopKThenTopPThenMinP() {
        // top-k 4 keeps {0.40, 0.25, 0.15, 0.10} (sum 0.9); top-p 0.7 of that is 0.63: 0.40 + 0.25 = 0.65 reaches it
        var p = new SamplingParams(1, 4, 0.7f, 0).probabilities(logits(P), 0, 6);
        assertArrayEquals(new float[] {0, 0.25f / 0.65f, 0, 0.40f / 0.65f, 0, 0}, p, 1e-6f);
        // temperature then min-p: at T=0.5 probabilities go as p^2 (max 0.16); min-p 0.2 keeps p^2 >= 0.032
        var q = new SamplingParams(0.5f, 0, 1, 0.2f).probabilities(logits(P), 0, 6);
        double kept = 0.25 * 0.25 + 0.40 * 0.40;
        assertArrayEquals(new float[] {0, (float) (0.0625 / kept), 0, (float) (0.16 / kept), 0, 0}, q, 1e-6f);
    }

    @Test
    void theSameSeedGivesTheSameTokens() {
        assertArrayEquals(draw(new SamplingParams(0.8f, 5, 0.95f, 0.01f), 99), draw(new SamplingParams(0.8f, 5, 0.95f, 0.01f), 99));
    }

    @Test
    void invalidParametersNameTheFieldAndTheAllowedValues() {
        var error = assertThrows(IllegalArgumentException.class, () -> new SamplingParams(1, 0, 0, 0));
        assertEquals("SamplingParams.topP must be in (0, 1] (1 = off), was 0.0", error.getMessage());
        error = assertThrows(IllegalArgumentException.class, () -> new SamplingParams(-1, 0, 1, 0));
        assertEquals("SamplingParams.temperature must be finite and >= 0, was -1.0", error.getMessage());
    }
}

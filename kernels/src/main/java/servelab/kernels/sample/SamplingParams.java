package servelab.kernels.sample;

import java.util.Arrays;

/**
 * How logits become a distribution to sample from, applied in this order: temperature (logits divided by it; 0 means
 * greedy), softmax, top-k (keep the k most likely; 0 = off), top-p (then keep the fewest most likely tokens whose
 * probability, renormalized, reaches p; 1 = off), min-p (then keep tokens at least {@code minP} times as likely as
 * the most likely; 0 = off), renormalize.
 *
 * @param temperature >= 0
 * @param topK        >= 0
 * @param topP        in (0, 1]
 * @param minP        in [0, 1]
 */
public record SamplingParams(float temperature, int topK, float topP, float minP) {
    public SamplingParams {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("SamplingParams.temperature must be finite and >= 0, was " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("SamplingParams.topK must be >= 0 (0 = off), was " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("SamplingParams.topP must be in (0, 1] (1 = off), was " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("SamplingParams.minP must be in [0, 1] (0 = off), was " + minP);
        }
    }

    /** Always the most likely token. */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 0);
    }

    /** Plain sampling at {@code temperature}, no filters. */
    public static SamplingParams temperature(float temperature) {
        return new SamplingParams(temperature, 0, 1, 0);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }

    /**
     * The distribution these parameters give for {@code logits[offset..offset+size)}: probabilities that sum to 1
     * (up to rounding), 0 for filtered tokens. Greedy gives a one-hot row. Costs O(size) plus a sort of the tokens
     * that can survive the filters.
     */
    public float[] probabilities(float[] logits, int offset, int size) {
        var p = new float[size];
        if (isGreedy()) {
            p[Sampler.argmax(logits, offset, size)] = 1f;
            return p;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        if (Float.isNaN(max)) throw Sampler.NonFiniteLogitsException.in(logits, offset, size); // (Math.max passes NaN on)
        if (max == Float.POSITIVE_INFINITY) { // exp(inf - inf) is NaN: an infinite logit takes all the probability
            p[Sampler.argmax(logits, offset, size)] = 1f;
            return p;
        }
        if (max == Float.NEGATIVE_INFINITY) throw Sampler.NonFiniteLogitsException.allMasked(size);
        double sum = 0;
        for (int i = 0; i < size; i++) {
            p[i] = (float) Math.exp((logits[offset + i] - max) / temperature);
            sum += p[i];
        }
        for (int i = 0; i < size; i++) {
            p[i] = (float) (p[i] / sum);
        }
        if (topK > 0 || topP < 1) {
            keepMostLikely(p);
        }
        if (minP > 0) {
            float pMax = 0;
            for (float v : p) {
                pMax = Math.max(pMax, v);
            }
            for (int i = 0; i < size; i++) {
                if (p[i] < minP * pMax) {
                    p[i] = 0;
                }
            }
        }
        normalize(p);
        return p;
    }

    /** Top-k, then top-p over the renormalized survivors; zeroes the rest. */
    private void keepMostLikely(float[] p) {
        int n = p.length;
        // a token below (1 - topP) / (n - 1) can never be needed for the nucleus (all such tokens together hold at most
        // 1 - topP), so only the others are sorted; with top-k alone, every token is a candidate. The nucleus is top-p
        // of the whole row's mass then, not of the sorted tokens' (which ended it early: 0.45, 0.30, 0.25 at top-p 0.5
        // kept only 0.45, since 0.25 was not sorted)
        double cutoff = topK == 0 && n > 1 ? (1 - topP) / (n - 1) : -1;
        int candidates = 0;
        double total = 0;
        var order = new long[n];
        for (int i = 0; i < n; i++) {
            total += p[i];
            if (p[i] > cutoff && p[i] > 0) {
                // sort key: probability descending, then id ascending, packed so one primitive sort does it
                order[candidates++] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(p[i])) << 32) | i;
            }
        }
        if (candidates == 0) { // a flat row and top-p at most 1/n: every token is at the cutoff; the nucleus is the first
            int best = 0;      // most likely (it kept token 0, whatever its probability, as order[0] was never set)
            for (int i = 1; i < n; i++) if (p[i] > p[best]) best = i;
            order[candidates++] = best;
        }
        Arrays.sort(order, 0, candidates);
        int keep = topK > 0 ? Math.min(topK, candidates) : candidates;
        if (topP < 1) {
            double kept = 0;   // what top-k left: the top k, or everything
            if (topK > 0) {
                for (int j = 0; j < keep; j++) {
                    kept += p[(int) order[j]];
                }
            } else {
                kept = total;
            }
            double cumulative = 0;
            int nucleus = 0;
            while (nucleus < keep && cumulative < topP * kept) {
                cumulative += p[(int) order[nucleus++]];
            }
            keep = Math.max(1, nucleus);
        }
        var survivors = new boolean[n];
        for (int j = 0; j < keep; j++) {
            survivors[(int) order[j]] = true;
        }
        for (int i = 0; i < n; i++) {
            if (!survivors[i]) {
                p[i] = 0;
            }
        }
    }

    static void normalize(float[] p) {
        double sum = 0;
        for (float v : p) {
            sum += v;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (p[i] / sum);
        }
    }
}

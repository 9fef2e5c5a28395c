package servelab.runtime.exec;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import servelab.common.seed.Seeds;

/**
 * How many of a verification's drafts the target model accepts, in simulation: draft {@code j} (1-based) is accepted
 * with probability {@code rates[j - 1]} given that drafts {@code 1 .. j - 1} were (the last rate applies to every
 * later position), and verification stops at the first rejection. One rate {@code a} is the i.i.d. model of Leviathan
 * et al. (2023), where k drafts give an expected {@code (1 - a^(k+1)) / (1 - a)} tokens per step; per-position rates
 * can be read off a real run's {@code spec_accepted_by_position} counts.
 *
 * <p>The draw for a verification depends only on the seed, the request and the position, so a run is reproducible
 * and two speculators see the same luck at the same place.
 */
public final class AcceptanceModel {
    private final double[] rates;
    private final long seed;

    public AcceptanceModel(List<Double> rates, long seed) {
        if (rates.isEmpty()) throw new IllegalArgumentException("speculation.acceptance needs at least one rate");
        this.rates = rates.stream().mapToDouble(Double::doubleValue).toArray();
        for (double r : this.rates) {
            if (!(r >= 0 && r <= 1)) {
                throw new IllegalArgumentException("speculation.acceptance rates must be in [0, 1], were " + rates);
            }
        }
        this.seed = seed;
    }

    /** Accepted drafts of {@code drafts} verified for request {@code seqId} whose last token is at {@code position}. */
    public int accepted(long seqId, int position, int drafts) {
        var random = new SplittableRandom(Seeds.ofVerification(seed, seqId, position));
        for (int j = 0; j < drafts; j++) {
            if (random.nextDouble() >= rate(j)) return j;
        }
        return drafts;
    }

    /** Conditional acceptance probability of draft position {@code j} (0-based). */
    public double rate(int j) {
        return rates[Math.min(j, rates.length - 1)];
    }

    /** Expected tokens a verification of {@code k} drafts produces (accepted drafts plus one). */
    public double expectedTokens(int k) {
        double expected = 1, reach = 1;
        for (int j = 0; j < k; j++) {
            reach *= rate(j);
            expected += reach;
        }
        return expected;
    }

    @Override
    public String toString() {
        return "acceptance " + Arrays.toString(rates);
    }
}

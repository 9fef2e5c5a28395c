package servelab.runtime.cluster;

import java.util.random.RandomGenerator;

/**
 * A one-way network delay: fixed, or drawn per request from a distribution (seeded by the caller). Values are
 * validated when built, so a negative or undefined delay cannot exist.
 */
public sealed interface Delay permits Delay.Fixed, Delay.Uniform, Delay.Exponential, Delay.LogNormal {

    /** No delay: the default of every network leg. */
    Delay NONE = new Fixed(0);

    /** A delay in nanoseconds, &gt;= 0. */
    long sampleNanos(RandomGenerator random);

    /**
     * The longest delay a draw gives: 1e18 ns (1e12 ms, the bound of every time key), so that times stay in a long
     * (a lognormal of sigma 50 drew delays past it, and the run stopped with "time went backwards").
     */
    long MAX_NANOS = 1_000_000_000_000_000_000L;

    /** Whether every sample is 0, so the leg can be skipped (and a run keeps the single-replica event order). */
    /** As the experiment file writes it ({@code {dist: fixed, ms: 2.0}}), for run.json. */
    default java.util.Map<String, Object> describe() {
        var m = new java.util.LinkedHashMap<String, Object>();
        switch (this) {
            case Fixed f -> { m.put("dist", "fixed"); m.put("ms", f.nanos() / 1e6); }
            case Uniform u -> { m.put("dist", "uniform"); m.put("min_ms", u.minNanos() / 1e6); m.put("max_ms", u.maxNanos() / 1e6); }
            case Exponential e -> { m.put("dist", "exponential"); m.put("min_ms", e.minNanos() / 1e6); m.put("mean_ms", e.meanNanos() / 1e6); }
            case LogNormal l -> { m.put("dist", "lognormal"); m.put("median_ms", l.medianNanos() / 1e6); m.put("sigma", l.sigma()); }
        }
        return m;
    }

    default boolean isZero() {
        return this instanceof Fixed(long nanos) && nanos == 0;
    }

    record Fixed(long nanos) implements Delay {
        public Fixed {
            if (nanos < 0) throw new IllegalArgumentException("a fixed delay must be >= 0 ns, was " + nanos);
        }

        @Override public long sampleNanos(RandomGenerator random) { return nanos; }
    }

    record Uniform(long minNanos, long maxNanos) implements Delay {
        public Uniform {
            if (minNanos < 0 || maxNanos < minNanos) {
                throw new IllegalArgumentException("a uniform delay needs 0 <= min <= max, was [" + minNanos + ", "
                        + maxNanos + "] ns");
            }
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            return maxNanos == minNanos ? minNanos : random.nextLong(minNanos, maxNanos + 1);
        }
    }

    /** Exponential with the given mean, plus a floor (propagation delay). */
    record Exponential(long minNanos, double meanNanos) implements Delay {
        public Exponential {
            if (minNanos < 0 || !(meanNanos > 0)) {
                throw new IllegalArgumentException("an exponential delay needs min >= 0 and mean > 0, was min "
                        + minNanos + " ns, mean " + meanNanos + " ns");
            }
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            return minNanos + (long) Math.min(MAX_NANOS, random.nextExponential() * meanNanos);
        }
    }

    /** Log-normal with the given median and shape: heavy-tailed, as measured datacentre RPC latencies are. */
    record LogNormal(double medianNanos, double sigma) implements Delay {
        public LogNormal {
            if (!(medianNanos > 0) || !(sigma >= 0)) {
                throw new IllegalArgumentException("a lognormal delay needs median > 0 and sigma >= 0, was median "
                        + medianNanos + " ns, sigma " + sigma);
            }
        }

        @Override
        public long sampleNanos(RandomGenerator random) {
            return (long) Math.min(MAX_NANOS, medianNanos * Math.exp(sigma * random.nextGaussian()));
        }
    }
}

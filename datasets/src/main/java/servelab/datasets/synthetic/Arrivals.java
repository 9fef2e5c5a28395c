package servelab.datasets.synthetic;

/**
 * An arrival process: how the gaps between requests are drawn. The first request arrives at 0; each later one a
 * random gap after the one before.
 */
public sealed interface Arrivals permits Arrivals.Poisson, Arrivals.Gamma, Arrivals.OnOff {

    /** Expected requests per second over a long run. */
    double meanRatePerSecond();

    /** Poisson arrivals: exponential gaps of mean {@code 1 / ratePerSecond} (CV of gaps 1). */
    record Poisson(double ratePerSecond) implements Arrivals {
        public Poisson {
            requirePositive("Poisson.ratePerSecond", ratePerSecond);
        }

        @Override
        public double meanRatePerSecond() {
            return ratePerSecond;
        }
    }

    /**
     * Gamma-distributed gaps with mean {@code 1 / ratePerSecond} and coefficient of variation {@code cv}
     * (shape {@code 1 / cv^2}): cv above 1 is burstier than Poisson, below 1 more regular, 1 is Poisson.
     */
    record Gamma(double ratePerSecond, double cv) implements Arrivals {
        public Gamma {
            requirePositive("Gamma.ratePerSecond", ratePerSecond);
            requirePositive("Gamma.cv", cv);
            if (cv < 0.01 || cv > 100) throw new IllegalArgumentException("Gamma.cv must be in [0.01, 100], was " + cv);
        }

        @Override
        public double meanRatePerSecond() {
            return ratePerSecond;
        }
    }

    /**
     * On/off bursts (a two-state Markov-modulated Poisson process): Poisson at {@code onRatePerSecond} during "on"
     * periods and at {@code offRatePerSecond} (may be 0) during "off" periods; period lengths are exponential
     * with the given means. The trace starts in an "on" period.
     */
    record OnOff(double onRatePerSecond, double offRatePerSecond, double meanOnSeconds, double meanOffSeconds)
            implements Arrivals {
        public OnOff {
            requirePositive("OnOff.onRatePerSecond", onRatePerSecond);
            if (!(offRatePerSecond >= 0) || Double.isInfinite(offRatePerSecond)) {
                throw new IllegalArgumentException("OnOff.offRatePerSecond must be finite and >= 0, was " + offRatePerSecond);
            }
            requirePositive("OnOff.meanOnSeconds", meanOnSeconds);
            requirePositive("OnOff.meanOffSeconds", meanOffSeconds);
            double perCycle = arrivalsPerCycle(onRatePerSecond, offRatePerSecond, meanOnSeconds, meanOffSeconds);
            if (!(perCycle >= MIN_ARRIVALS_PER_CYCLE)) {
                throw new IllegalArgumentException("OnOff: onRatePerSecond * meanOnSeconds + offRatePerSecond * "
                        + "meanOffSeconds must be at least " + MIN_ARRIVALS_PER_CYCLE + " arrivals per on-off cycle, was "
                        + perCycle + " (the process would switch periods millions of times between arrivals)");
            }
        }

        /**
         * Fewer expected arrivals per on-off cycle than this never end: on periods of 1e-300 s ran the generator for
         * ever, switching.
         */
        public static final double MIN_ARRIVALS_PER_CYCLE = 1e-6;

        /** Expected arrivals in one on period and one off period. */
        public static double arrivalsPerCycle(double onRate, double offRate, double meanOn, double meanOff) {
            return onRate * meanOn + offRate * meanOff;
        }

        @Override
        public double meanRatePerSecond() {
            return (onRatePerSecond * meanOnSeconds + offRatePerSecond * meanOffSeconds) / (meanOnSeconds + meanOffSeconds);
        }
    }

    static Poisson poisson(double ratePerSecond) {
        return new Poisson(ratePerSecond);
    }

    static Gamma gamma(double ratePerSecond, double cv) {
        return new Gamma(ratePerSecond, cv);
    }

    static OnOff onOff(double onRatePerSecond, double offRatePerSecond, double meanOnSeconds, double meanOffSeconds) {
        return new OnOff(onRatePerSecond, offRatePerSecond, meanOnSeconds, meanOffSeconds);
    }

    private static void requirePositive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be finite and > 0, was " + value);
        }
    }
}

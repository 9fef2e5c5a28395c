package servelab.datasets.synthetic;

import java.util.Arrays;

import servelab.datasets.TraceRequest;

/** A distribution of token counts (input or output lengths), always at least 1. */
public sealed interface Lengths permits Lengths.Fixed, Lengths.Uniform, Lengths.Zipf, Lengths.LogNormal,
        Lengths.Empirical {

    /** Always {@code tokens}. */
    record Fixed(int tokens) implements Lengths {
        public Fixed {
            if (tokens < 1) throw new IllegalArgumentException("Fixed.tokens must be >= 1, was " + tokens);
        }
    }

    /** Uniform over the integers {@code [min, max]}, both included. */
    record Uniform(int min, int max) implements Lengths {
        public Uniform {
            if (min < 1) throw new IllegalArgumentException("Uniform.min must be >= 1, was " + min);
            if (max < min) throw new IllegalArgumentException("Uniform.max must be >= min (" + min + "), was " + max);
        }
    }

    /**
     * Zipf over {@code 1..max}: {@code P(k)} proportional to {@code k^-exponent}. Sampled by inverting a table of
     * the cumulative distribution, so {@code max} is limited to {@value #MAX_SUPPORT} (32 MiB of table).
     */
    record Zipf(double exponent, int max) implements Lengths {
        public static final int MAX_SUPPORT = 1 << 22;

        public Zipf {
            if (!(exponent > 0) || Double.isInfinite(exponent)) {
                throw new IllegalArgumentException("Zipf.exponent must be finite and > 0, was " + exponent);
            }
            if (max < 1 || max > MAX_SUPPORT) {
                throw new IllegalArgumentException("Zipf.max must be in [1, " + MAX_SUPPORT + "], was " + max);
            }
        }
    }

    /**
     * Log-normal: {@code round(median * exp(sigma * N(0,1)))}, clamped to {@code [min, max]} (real lengths have a
     * context limit; clamping moves the tail's mass to the bounds rather than redrawing it).
     */
    record LogNormal(double median, double sigma, int min, int max) implements Lengths {
        public LogNormal {
            if (!(median > 0) || Double.isInfinite(median)) {
                throw new IllegalArgumentException("LogNormal.median must be finite and > 0, was " + median);
            }
            if (!(sigma >= 0) || Double.isInfinite(sigma)) {
                throw new IllegalArgumentException("LogNormal.sigma must be finite and >= 0, was " + sigma);
            }
            if (min < 1) throw new IllegalArgumentException("LogNormal.min must be >= 1, was " + min);
            if (max < min) throw new IllegalArgumentException("LogNormal.max must be >= min (" + min + "), was " + max);
        }

        /** The log-normal whose mean before clamping is {@code mean}: median = mean * exp(-sigma^2 / 2). */
        public static LogNormal ofMean(double mean, double sigma, int min, int max) {
            return new LogNormal(mean * Math.exp(-sigma * sigma / 2), sigma, min, max);
        }

        /**
         * The mean of the draws, clamped to [min, max] (of the continuous distribution; draws are rounded to whole
         * tokens): E = min P(X < min) + max P(X > max) + exp(mu + sigma^2/2) [Phi(b - sigma) - Phi(a - sigma)], with
         * a, b the bounds' standard scores in log space. A wide sigma or a bound near the median moves it far from
         * the mean asked for (mean 800, sigma 2 in [16, 6144]: 542).
         */
        public double clampedMean() {
            if (sigma == 0) return Math.clamp(median, min, max);
            double mu = Math.log(median);
            double a = (Math.log(min) - mu) / sigma, b = (Math.log(max) - mu) / sigma;
            return min * phi(a) + max * (1 - phi(b)) + Math.exp(mu + sigma * sigma / 2) * (phi(b - sigma) - phi(a - sigma));
        }

        /** The standard normal CDF (through erfc, Numerical Recipes' Chebyshev fit: relative error under 1.2e-7). */
        static double phi(double z) {
            double x = -z / Math.sqrt(2), t = 1 / (1 + 0.5 * Math.abs(x));
            double erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                    + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223
                    + t * 0.17087277)))))))));
            return 0.5 * (x >= 0 ? erfc : 2 - erfc);
        }
    }

    /** Draws uniformly from observed {@code values} (resampling with replacement); each at least 1. */
    record Empirical(int[] values) implements Lengths {
        public Empirical {
            if (values.length == 0) throw new IllegalArgumentException("Empirical.values must not be empty");
            values = values.clone();
            for (int i = 0; i < values.length; i++) {
                if (values[i] < 1) {
                    throw new IllegalArgumentException("Empirical.values must all be >= 1, values[" + i + "] was " + values[i]);
                }
            }
        }

        /** The input lengths of {@code trace}. */
        public static Empirical inputsOf(Iterable<TraceRequest> trace) {
            return new Empirical(collect(trace, true));
        }

        /** The output lengths of {@code trace}. */
        public static Empirical outputsOf(Iterable<TraceRequest> trace) {
            return new Empirical(collect(trace, false));
        }

        private static int[] collect(Iterable<TraceRequest> trace, boolean inputs) {
            var values = new int[64];
            int n = 0;
            for (var r : trace) {
                if (n == values.length) values = Arrays.copyOf(values, n * 2);
                values[n++] = inputs ? r.inputTokens() : r.outputTokens();
            }
            return Arrays.copyOf(values, n);
        }

        @Override
        public int[] values() {
            return values.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Empirical e && Arrays.equals(e.values, values);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Empirical[" + values.length + " values]";
        }
    }

    static Fixed fixed(int tokens) {
        return new Fixed(tokens);
    }

    static Uniform uniform(int min, int max) {
        return new Uniform(min, max);
    }

    static Zipf zipf(double exponent, int max) {
        return new Zipf(exponent, max);
    }

    static LogNormal logNormal(double median, double sigma, int min, int max) {
        return new LogNormal(median, sigma, min, max);
    }
}

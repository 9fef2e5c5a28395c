package servelab.runtime.report;

import java.util.Arrays;

/**
 * Mean, median, standard deviation and percentiles of one latency metric in milliseconds, as vLLM's
 * {@code bench serve} reports them: percentiles interpolate linearly between the two nearest ranks (numpy's
 * default, {@code np.percentile(x, p)}), the standard deviation is the population one ({@code np.std}). All NaN
 * when there are no values (vLLM prints 0 there; NaN keeps "no data" apart from "zero").
 *
 * @param count  values the figures are computed from
 * @param mean   arithmetic mean
 * @param median 50th percentile
 * @param std    population standard deviation
 * @param p90    90th percentile
 * @param p99    99th percentile
 */
public record Stats(int count, double mean, double median, double std, double p90, double p99) {

    public Stats {
        if (count < 0) throw new IllegalArgumentException("Stats.count must be >= 0, was " + count);
    }

    /** Arrays from this size on are first tried as {@link RepeatedValues}. */
    private static final int COUNTED_FROM = 1 << 16;

    /** The figures of {@code values} (which this may reorder). */
    static Stats of(double[] values) {
        int n = values.length;
        if (n == 0) return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        // up to one distinct value in 8: counted instead of sorted, with the same figures to the last bit
        var repeated = n >= COUNTED_FROM ? RepeatedValues.of(values, n / 8) : null;
        if (repeated != null) return of(repeated, n);
        Arrays.sort(values);
        double sum = 0;
        for (double v : values) sum += v;
        double mean = sum / n;
        double squares = 0;
        for (double v : values) squares += (v - mean) * (v - mean);
        return new Stats(n, mean, percentile(values, 50), Math.sqrt(squares / n), percentile(values, 90),
                percentile(values, 99));
    }

    /** As {@link #of(double[])} on the sorted array: the same sums, each value added as often as it occurs. */
    private static Stats of(RepeatedValues r, int n) {
        double sum = 0;
        for (int i = 0; i < r.values.length; i++) {
            for (long c = r.counts[i]; c > 0; c--) sum += r.values[i];
        }
        double mean = sum / n;
        double squares = 0;
        for (int i = 0; i < r.values.length; i++) {
            double d = r.values[i] - mean;
            for (long c = r.counts[i]; c > 0; c--) squares += d * d;
        }
        return new Stats(n, mean, percentile(r, n, 50), Math.sqrt(squares / n), percentile(r, n, 90),
                percentile(r, n, 99));
    }

    private static double percentile(RepeatedValues r, int n, double p) {
        double rank = p / 100 * (n - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, n - 1);
        return r.at(lo) + (r.at(hi) - r.at(lo)) * (rank - lo);
    }

    /**
     * The figures of the known values of {@code values} (NaN, the tables' null, left out); {@code values} is not
     * changed.
     */
    public static Stats ofKnown(double[] values) {
        return of(java.util.Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray());
    }

    /**
     * numpy's "linear" method: the value at rank {@code p / 100 * (n - 1)} of the sorted values, interpolated
     * between the ranks on either side.
     *
     * @param sorted values in ascending order, at least one
     * @param p      percentile, 0 to 100
     */
    public static double percentile(double[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}

package servelab.runtime.report;

import java.util.Arrays;

/**
 * Values over time, summarised in equal-width time bins so a chart of a run with a million rows stays readable:
 * per non-empty bin its centre, mean, median, 90th and 99th percentiles and count. Empty bins are left out.
 *
 * @param centerS bin centres, seconds on the run clock
 * @param mean    mean of the bin's values
 * @param p50     median (numpy's linear interpolation, as {@link Stats})
 * @param p90     90th percentile
 * @param p99     99th percentile
 * @param count   values in the bin
 */
public record TimeBins(double[] centerS, double[] mean, double[] p50, double[] p90, double[] p99, int[] count) {

    /**
     * Bins {@code values} by {@code timesS} into {@code bins} bins spanning {@code [fromS, toS]}; pairs whose value
     * is NaN (null) or whose time is outside the span are left out.
     */
    public static TimeBins of(double[] timesS, double[] values, double fromS, double toS, int bins) {
        if (timesS.length != values.length) {
            throw new IllegalArgumentException("TimeBins: " + timesS.length + " times but " + values.length + " values");
        }
        if (bins < 1) throw new IllegalArgumentException("TimeBins.bins must be >= 1, was " + bins);
        double width = toS > fromS ? (toS - fromS) / bins : 1;
        var perBin = new double[bins][];
        var sizes = new int[bins];
        for (int i = 0; i < values.length; i++) {
            if (Double.isNaN(values[i]) || timesS[i] < fromS || timesS[i] > toS) continue;
            int b = Math.min(bins - 1, (int) ((timesS[i] - fromS) / width));
            if (perBin[b] == null) perBin[b] = new double[8];
            if (sizes[b] == perBin[b].length) perBin[b] = Arrays.copyOf(perBin[b], sizes[b] * 2);
            perBin[b][sizes[b]++] = values[i];
        }
        int filled = 0;
        for (int size : sizes) if (size > 0) filled++;
        var center = new double[filled];
        var mean = new double[filled];
        var p50 = new double[filled];
        var p90 = new double[filled];
        var p99 = new double[filled];
        var count = new int[filled];
        int k = 0;
        for (int b = 0; b < bins; b++) {
            if (sizes[b] == 0) continue;
            var stats = Stats.of(Arrays.copyOf(perBin[b], sizes[b]));
            center[k] = fromS + (b + 0.5) * width;
            mean[k] = stats.mean();
            p50[k] = stats.median();
            p90[k] = stats.p90();
            p99[k] = stats.p99();
            count[k++] = sizes[b];
        }
        return new TimeBins(center, mean, p50, p90, p99, count);
    }

    /** Bins of {@code values} over the span of {@code timesS} itself. */
    public static TimeBins of(double[] timesS, double[] values, int bins) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < timesS.length; i++) {
            if (Double.isNaN(values[i])) continue;
            lo = Math.min(lo, timesS[i]);
            hi = Math.max(hi, timesS[i]);
        }
        return lo > hi ? of(new double[0], new double[0], 0, 1, bins) : of(timesS, values, lo, hi, bins);
    }

    public int size() {
        return centerS.length;
    }
}

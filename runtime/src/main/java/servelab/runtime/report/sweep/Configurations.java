package servelab.runtime.report.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * A sweep's points grouped by everything but their seed: a configuration is one setting of the other axes, and its
 * points are the seeds it ran with. What a sweep compares is configurations; one seed's point is one draw of the
 * workload (and of network delays and faults), and a tail percentile moves by tens of percent from one draw to the
 * next. A front or a "best point" picked among single points picks the luckiest draw.
 *
 * @param axes the axes that make a configuration (every axis but {@code seed}), in the sweep's order
 * @param list the configurations, in order of their first point
 */
public record Configurations(SweepResults sweep, List<String> axes, List<Configuration> list) {
    /** One setting of {@link #axes}, and the points (row indices) that ran it. */
    public record Configuration(List<String> values, List<Integer> points) {
        /** {@code axis=value, ...}, or "all" in a sweep over seeds only. */
        public String label(List<String> axes) {
            var parts = new ArrayList<String>();
            for (int i = 0; i < axes.size(); i++) parts.add(axes.get(i) + "=" + values.get(i));
            return parts.isEmpty() ? "all" : String.join(", ", parts);
        }
    }

    /** The mean, sample standard deviation (NaN under two values), least and most of a metric's numbers, and n. */
    public record Stats(int n, double mean, double sd, double min, double max) {
        static Stats of(double[] values) {
            int n = 0;
            double sum = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                if (Double.isNaN(v)) continue;
                n++;
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (n == 0) return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            double mean = sum / n, squares = 0;
            for (double v : values) if (!Double.isNaN(v)) squares += (v - mean) * (v - mean);
            return new Stats(n, mean, n < 2 ? Double.NaN : Math.sqrt(squares / (n - 1)), min, max);
        }
    }

    public static Configurations of(SweepResults sweep) {
        var axes = sweep.axes().stream().filter(a -> !a.equals("seed")).toList();
        var byValues = new LinkedHashMap<List<String>, List<Integer>>();
        var columns = axes.stream().map(sweep::strings).toList();
        for (int i = 0; i < sweep.size(); i++) {
            int row = i;
            var values = columns.stream().map(c -> c.get(row)).toList();
            byValues.computeIfAbsent(values, k -> new ArrayList<>()).add(i);
        }
        var list = byValues.entrySet().stream().map(e -> new Configuration(e.getKey(), List.copyOf(e.getValue()))).toList();
        return new Configurations(sweep, axes, list);
    }

    /** {@code metric} over configuration {@code c}'s points (a point without the number, a failed one, is left out). */
    public Stats stats(int c, String metric) {
        var values = sweep.doubles(metric);
        return Stats.of(list.get(c).points().stream().mapToDouble(i -> values[i]).toArray());
    }

    /** Each configuration's mean of {@code metric} over its points. */
    public double[] means(String metric) {
        var means = new double[list.size()];
        for (int c = 0; c < means.length; c++) means[c] = stats(c, metric).mean();
        return means;
    }

    /** The most points any configuration has (the seeds per configuration, when every point ran). */
    public int mostSeeds() {
        return list.stream().mapToInt(c -> c.points().size()).max().orElse(0);
    }

    /**
     * The configurations whose points, two or more, gave one and the same figure on every metric of {@code metrics}:
     * their seeds changed nothing (a trace file's requests are the same whatever the seed), so they are repeats of one
     * measurement, not replicates.
     */
    public long repeats(List<String> metrics) {
        var columns = metrics.stream().map(sweep::doubles).toList();
        return list.stream().filter(c -> c.points().size() > 1 && columns.stream().allMatch(v -> c.points().stream()
                .mapToDouble(i -> v[i]).filter(x -> !Double.isNaN(x)).distinct().count() == 1)).count();
    }
}

package servelab.runtime.notebook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import servelab.runtime.report.Stats;
import servelab.runtime.report.runs.RunTables;

/** Percentiles as {@code servelab report} and vLLM compute them (numpy's linear interpolation), NaN left out. */
public final class Percentiles {

    private Percentiles() {
    }

    /** The {@code p}-th percentile (0 to 100) of the known values; NaN when there are none. */
    public static double of(double[] values, double p) {
        if (!(p >= 0 && p <= 100)) throw new IllegalArgumentException("percentile must be 0 to 100, was " + p);
        double[] known = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
        return known.length == 0 ? Double.NaN : Stats.percentile(known, p);
    }

    /**
     * A text table, one row per series (a run, from {@link Runs#requests}): count, mean and the given percentiles,
     * with two decimals.
     */
    public static String table(Map<String, double[]> valuesBySeries, double... ps) {
        var header = new ArrayList<>(List.of("run", "count", "mean"));
        for (double p : ps) header.add("p" + (p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p)));
        var rows = new ArrayList<List<String>>();
        for (var e : valuesBySeries.entrySet()) {
            var stats = Stats.ofKnown(e.getValue());
            var row = new ArrayList<>(List.of(e.getKey(), Integer.toString(stats.count()), RunTables.number(stats.mean(), 2)));
            for (double p : ps) row.add(RunTables.number(of(e.getValue(), p), 2));
            rows.add(row);
        }
        return TextTable.format(header, rows);
    }
}

package servelab.runtime.report.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

import servelab.runtime.record.ResultTable;
import servelab.runtime.report.ClusterSummary;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.Summary;
import servelab.runtime.report.TimeBins;
import servelab.runtime.report.chart.Bars;
import servelab.runtime.report.chart.Charts;
import servelab.runtime.report.chart.Line;
import servelab.runtime.report.chart.Marker;

/**
 * The cluster part of {@code servelab report}, for runs with cluster.arrow: requests in the system per replica over
 * time (how load spreads, and whether a router herds), and the routing comparison across runs (load imbalance,
 * cluster prefix hit ratio, Little's law check, p99 TTFT).
 */
public final class ClusterCharts {
    private static final int TIME_BINS = 60;

    private ClusterCharts() {}

    /** Whether any run has a cluster time series with more than one replica. */
    public static boolean anyCluster(List<NamedRun> runs) {
        return runs.stream().anyMatch(r -> summary(r).map(s -> s.replicas() > 1).orElse(false));
    }

    static Optional<ClusterSummary> summary(NamedRun run) {
        return ClusterSummary.compute(run.results());
    }

    /** Requests in the system per replica (mean per time bin), one line per replica, dashed after a run's first. */
    public static XYChart replicaLoad(List<NamedRun> runs) {
        var lines = new ArrayList<Line>();
        double end = 0;
        for (var run : runs) {
            var c = run.results().table(ResultTable.CLUSTER);
            if (c.isPresent()) for (double t : c.get().doubles("time_ns")) end = Math.max(end, t / 1e9);
        }
        for (int i = 0; i < runs.size(); i++) {
            var table = runs.get(i).results().table(ResultTable.CLUSTER);
            if (table.isEmpty()) continue;
            var c = table.get();
            double[] times = RunCharts.seconds(c.doubles("time_ns"));
            long[] replica = c.longs("replica");
            double[] inSystem = c.doubles("in_system");
            long replicas = java.util.Arrays.stream(replica).max().orElse(-1) + 1;
            for (int r = 0; r < replicas; r++) {
                var mine = inSystem.clone();
                for (int k = 0; k < mine.length; k++) if (replica[k] != r) mine[k] = Double.NaN;
                var bins = TimeBins.of(times, mine, 0, end, TIME_BINS);
                lines.add(new Line(runs.get(i).name() + " r" + r, bins.centerS(), bins.mean(), i, r > 0));
            }
        }
        return Charts.overTime("Requests in the system per replica (routed, not finished)", "requests", lines,
                List.<Marker>of());
    }

    /** Load imbalance and cluster prefix hit ratio per run, side by side. */
    public static CategoryChart routingComparison(List<NamedRun> runs) {
        var names = new ArrayList<String>();
        var imbalance = new ArrayList<Double>();
        var hit = new ArrayList<Double>();
        for (var run : runs) {
            var s = summary(run);
            if (s.isEmpty()) continue;
            names.add(run.name());
            imbalance.add(s.get().loadImbalance());
            hit.add(Double.isNaN(s.get().prefixHitRatio()) ? 0.0 : s.get().prefixHitRatio());
        }
        return Charts.bars("Routing comparison", "ratio", names, List.of(
                bars("load imbalance (max/mean requests)", imbalance), bars("cluster prefix hit ratio", hit)));
    }

    private static Bars bars(String name, List<Double> values) {
        return new Bars(name, values.stream().mapToDouble(Double::doubleValue).toArray(), new double[values.size()]);
    }

    /** The comparison as a table: replicas, imbalance, prefix hit ratio, Little's law, p99 TTFT. */
    public static RunTables.Rows table(List<NamedRun> runs, List<Summary> summaries) {
        var rows = new ArrayList<List<String>>();
        for (int i = 0; i < runs.size(); i++) {
            var s = summary(runs.get(i));
            if (s.isEmpty()) continue;
            var c = s.get();
            rows.add(List.of(runs.get(i).name(), Integer.toString(c.replicas()), f(c.loadImbalance()),
                    f(c.tokenImbalance()), f(c.prefixHitRatio()), f(c.meanInSystem()),
                    f(c.arrivalRate() * c.meanTimeInSystemS()), f(c.littleRatio()), f(summaries.get(i).ttftMs().p99())));
        }
        return new RunTables.Rows(List.of("run", "replicas", "load imbalance", "token imbalance", "prefix hit ratio",
                "L (mean in system)", "λW", "L / λW", "p99 TTFT (ms)"), rows);
    }

    private static String f(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.3f", x) : "n/a";
    }
}

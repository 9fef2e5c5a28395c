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
            int replicas = (int) (java.util.Arrays.stream(replica).max().orElse(-1) + 1);
            var perReplica = binsPerReplica(times, replica, inSystem, replicas, end, TIME_BINS);
            if (replicas <= MAX_REPLICA_LINES) {
                for (int r = 0; r < replicas; r++) {
                    var bins = perReplica.get(r);
                    lines.add(new Line(runs.get(i).name() + " r" + r, bins.centerS(), bins.mean(), i, r > 0));
                }
            } else { // a line per replica is unreadable past a few dozen: the spread across replicas instead
                lines.addAll(spread(runs.get(i).name(), perReplica, i));
            }
        }
        return Charts.overTime("Requests in the system per replica (routed, not finished)", "requests", lines,
                List.<Marker>of());
    }

    /** Replicas beyond which the per-replica charts draw their least, mean and most per bin, not a line each. */
    static final int MAX_REPLICA_LINES = 16;

    /** Each replica's rows binned on their own, in one pass over the table (a copy per replica was replicas x rows). */
    static List<TimeBins> binsPerReplica(double[] times, long[] replica, double[] values, int replicas, double end,
                                         int bins) {
        var rowsOf = new ArrayList<List<Integer>>();
        for (int r = 0; r < replicas; r++) rowsOf.add(new ArrayList<>());
        for (int k = 0; k < replica.length; k++) if (replica[k] >= 0) rowsOf.get((int) replica[k]).add(k);
        var out = new ArrayList<TimeBins>();
        for (var rows : rowsOf) {
            out.add(TimeBins.of(rows.stream().mapToDouble(k -> times[k]).toArray(),
                    rows.stream().mapToDouble(k -> values[k]).toArray(), 0, end, bins));
        }
        return out;
    }

    /**
     * The replicas' least, mean and most per time bin, over the replicas with a value in it (a replica without rows
     * there, one that made no step, is not in it); bins are matched by their centre, the same for every replica.
     */
    static List<Line> spread(String run, List<TimeBins> perReplica, int color) {
        var byCenter = new java.util.TreeMap<Double, double[]>(); // least, most, sum, count
        for (var bins : perReplica) {
            for (int b = 0; b < bins.centerS().length; b++) {
                double v = bins.mean()[b];
                if (Double.isNaN(v)) continue;
                var acc = byCenter.computeIfAbsent(bins.centerS()[b], c -> new double[] {v, v, 0, 0});
                acc[0] = Math.min(acc[0], v);
                acc[1] = Math.max(acc[1], v);
                acc[2] += v;
                acc[3]++;
            }
        }
        int n = byCenter.size();
        double[] x = new double[n], least = new double[n], mean = new double[n], most = new double[n];
        int k = 0;
        for (var e : byCenter.entrySet()) {
            x[k] = e.getKey();
            least[k] = e.getValue()[0];
            most[k] = e.getValue()[1];
            mean[k++] = e.getValue()[2] / e.getValue()[3];
        }
        int replicas = perReplica.size();
        return List.of(new Line(run + " mean of " + replicas + " replicas", x, mean, color, false),
                new Line(run + " least", x, least, color, true), new Line(run + " most", x, most, color, true));
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

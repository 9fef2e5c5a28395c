package servelab.runtime.report.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashMap;

import org.knowm.xchart.XYChart;

import servelab.runtime.record.ResultTable;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.SwapEvent;
import servelab.runtime.report.Table;
import servelab.runtime.report.TimeBins;
import servelab.runtime.report.chart.Charts;
import servelab.runtime.report.chart.Line;
import servelab.runtime.report.chart.Marker;

/**
 * The charts that compare runs, from their Arrow tables: latency CDFs, latency over time, KV blocks in use,
 * batch size and tokens per iteration. Run i is drawn in palette colour i in every chart. Time charts use the
 * run clock (simulated seconds for a simulated run) and mark every plugin swap.
 */
public final class RunCharts {
    /** Time bins across the longest run of a per-iteration chart. */
    static final int TIME_BINS = 120;
    /** Time bins of a latency chart: fewer, so a bin holds enough requests for a stable p90. */
    static final int LATENCY_BINS = 50;

    private RunCharts() {
    }

    /**
     * The CDF of a requests column (a {@code _ms} latency) across runs.
     *
     * @param column e.g. {@code ttft_ms}; see runtime/RESULTS-SCHEMA.md
     */
    public static XYChart cdf(List<NamedRun> runs, String column, String title, String axisTitle) {
        var values = new LinkedHashMap<String, double[]>();
        for (var run : runs) values.put(run.name(), run.results().requests().doubles(column));
        // failed, rejected and timed-out requests have no latency: the lines are over the completed ones only
        return Charts.cdf(title, axisTitle, "fraction of completed requests ≤ x", values);
    }

    /**
     * A requests latency column over time: each request at its arrival time, summarised per time bin as median
     * (solid) and 90th percentile (dashed; a p99 of a few dozen requests would be their maximum).
     */
    public static XYChart latencyOverTime(List<NamedRun> runs, String column, String title, String axisTitle) {
        double end = 0;
        for (var run : runs) end = Math.max(end, maxSeconds(run.results().requests().doubles("arrival_ns")));
        var lines = new ArrayList<Line>();
        for (int i = 0; i < runs.size(); i++) {
            var requests = runs.get(i).results().requests();
            var bins = TimeBins.of(seconds(requests.doubles("arrival_ns")), requests.doubles(column), 0, end, LATENCY_BINS);
            lines.add(Line.of(runs.get(i).name() + " p50", bins.centerS(), bins.p50(), i));
            lines.add(new Line(runs.get(i).name() + " p90", bins.centerS(), bins.p90(), i, true));
        }
        return Charts.overTime(title + binNote(end, LATENCY_BINS), axisTitle, lines, markers(runs));
    }

    /**
     * KV blocks in use after each step (mean per time bin), and the blocks a replica has as a dashed line: one for
     * all runs when they have the same number, else one per run.
     */
    public static XYChart kvBlocks(List<NamedRun> runs) {
        var lines = new ArrayList<Line>();
        var totals = new ArrayList<Line>();
        double end = iterationsEnd(runs);
        for (int i = 0; i < runs.size(); i++) {
            var it = iterations(runs.get(i));
            if (it == null) continue;
            lines.addAll(perReplica(runs.get(i).name(), it, it.doubles("kv_blocks_used"), end, i));
            double total = 0;
            for (double t : it.doubles("kv_blocks_total")) total = Math.max(total, t);
            totals.add(new Line(runs.get(i).name() + " total", new double[] {0, end}, new double[] {total, total}, i, true));
        }
        if (totals.stream().map(t -> t.y()[0]).distinct().count() == 1) {
            var t = totals.getFirst();
            totals = new ArrayList<>(List.of(new Line("blocks per replica", t.x(), t.y(), 6, true)));
        }
        lines.addAll(totals);
        return Charts.overTime("KV cache blocks in use" + binNote(end, TIME_BINS), "blocks", lines, markers(runs));
    }

    /** Sequences per step (mean per time bin). */
    public static XYChart batchSize(List<NamedRun> runs) {
        return perIteration(runs, "Batch size per iteration", "sequences", it -> it.doubles("batch_size"));
    }

    /** Tokens computed per step, prefill plus decode (mean per time bin). */
    public static XYChart tokensPerIteration(List<NamedRun> runs) {
        return perIteration(runs, "Tokens per iteration (prefill + decode)", "tokens", it -> {
            double[] prefill = it.doubles("prefill_tokens");
            double[] decode = it.doubles("decode_tokens");
            var sum = new double[prefill.length];
            for (int k = 0; k < sum.length; k++) sum[k] = prefill[k] + decode[k];
            return sum;
        });
    }

    /** Whether a run has per-iteration data (imported runs have none). */
    public static boolean hasIterations(NamedRun run) {
        return iterations(run) != null;
    }

    private static XYChart perIteration(List<NamedRun> runs, String title, String axisTitle,
                                        java.util.function.Function<Table, double[]> values) {
        var lines = new ArrayList<Line>();
        double end = iterationsEnd(runs);
        for (int i = 0; i < runs.size(); i++) {
            var it = iterations(runs.get(i));
            if (it != null) lines.addAll(perReplica(runs.get(i).name(), it, values.apply(it), end, i));
        }
        return Charts.overTime(title + binNote(end, TIME_BINS), axisTitle, lines, markers(runs));
    }

    /**
     * One line per replica (named "run" with one replica, "run r0", "run r1"... with more), binned by step end; past
     * {@link ClusterCharts#MAX_REPLICA_LINES} replicas, their least, mean and most per bin (a 1,000-replica run drew a
     * chart 20,000 pixels high of 1,000 legend entries).
     */
    private static List<Line> perReplica(String name, Table it, double[] values, double end, int color) {
        double[] times = seconds(it.doubles("end_ns"));
        long[] replica = it.longs("replica");
        int replicas = 0;
        for (long r : replica) replicas = (int) Math.max(replicas, r + 1);
        var perReplica = ClusterCharts.binsPerReplica(times, replica, values, replicas, end, TIME_BINS);
        if (replicas > ClusterCharts.MAX_REPLICA_LINES) return ClusterCharts.spread(name, perReplica, color);
        var out = new ArrayList<Line>();
        for (int r = 0; r < replicas; r++) {
            var bins = perReplica.get(r);
            out.add(new Line(replicas == 1 ? name : name + " r" + r, bins.centerS(), bins.mean(), color, r > 0));
        }
        return out;
    }

    private static List<Marker> markers(List<NamedRun> runs) {
        var out = new ArrayList<Marker>();
        for (var run : runs) {
            for (var swap : SwapEvent.of(run.results())) {
                out.add(new Marker(swap.timeNanos() / 1e9, (runs.size() > 1 ? run.name() + " " : "") + swap.label()));
            }
        }
        return out;
    }

    private static Table iterations(NamedRun run) {
        return run.results().table(ResultTable.ITERATIONS).filter(t -> t.rowCount() > 0).orElse(null);
    }

    private static double iterationsEnd(List<NamedRun> runs) {
        double end = 0;
        for (var run : runs) {
            var it = iterations(run);
            if (it != null) end = Math.max(end, maxSeconds(it.doubles("end_ns")));
        }
        return end;
    }

    private static String binNote(double endS, int bins) {
        double width = endS / bins;
        return width > 0 ? String.format(java.util.Locale.ROOT, " (per %s s bin)", round(width)) : "";
    }

    private static String round(double x) {
        return x >= 10 ? String.valueOf(Math.round(x)) : String.valueOf(Math.round(x * 100) / 100.0);
    }

    static double[] seconds(double[] nanos) {
        var out = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) out[i] = nanos[i] / 1e9;
        return out;
    }

    private static double maxSeconds(double[] nanos) {
        double max = 0;
        for (double n : nanos) if (!Double.isNaN(n)) max = Math.max(max, n / 1e9);
        return max;
    }

    /** Latency columns the CDF and time charts are drawn for, with their titles. */
    public static Map<String, String> latencyColumns() {
        var m = new LinkedHashMap<String, String>();
        m.put("ttft_ms", "Time to first token");
        m.put("tpot_ms", "Time per output token");
        m.put("e2el_ms", "End-to-end latency");
        return m;
    }
}

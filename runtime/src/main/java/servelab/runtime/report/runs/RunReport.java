package servelab.runtime.report.runs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import servelab.runtime.record.Slo;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.RunInfo;
import servelab.runtime.report.RunMetrics;
import servelab.runtime.report.chart.Png;
import servelab.runtime.report.doc.Document;

/**
 * {@code servelab report}: a folder comparing runs, {@code report.md} and {@code report.html} with the same
 * tables and PNG charts beside them. Goodput uses each run's own SLO from run.json unless one is given.
 *
 * {@snippet :
 * var runs = NamedRun.load(List.of(Path.of("runs/fcfs"), Path.of("runs/sjf")));
 * var written = RunReport.write(runs, Path.of("reports/fcfs-vs-sjf"), Optional.empty());
 * }
 */
public final class RunReport {

    private RunReport() {
    }

    /**
     * The columns of iterations.arrow a report reads (its charts and the prefix hit ratio of a run without cluster
     * rows): a large run's table is mostly the others, and {@code servelab report} loads only these.
     */
    public static final java.util.Set<String> ITERATION_COLUMNS = java.util.Set.of("end_ns", "replica",
            "kv_blocks_used", "kv_blocks_total", "batch_size", "prefill_tokens", "decode_tokens", "prefix_hit_tokens",
            "prefix_query_tokens");

    /** What was written: the Markdown page, the HTML page and every chart. */
    public record Written(Path markdown, Path html, List<Path> charts) {}

    /**
     * Writes the report into {@code out} (created if needed; files of an earlier report there are replaced).
     *
     * @param slo objectives for every run's goodput; empty: each run's own
     */
    public static Written write(List<NamedRun> runs, Path out, Optional<Slo> slo) throws IOException {
        return write(runs, out, slo, servelab.runtime.report.Window.ALL);
    }

    /** As {@link #write(List, Path, Optional)}, the tables over the requests that arrived in {@code window}. */
    public static Written write(List<NamedRun> runs, Path out, Optional<Slo> slo, servelab.runtime.report.Window window)
            throws IOException {
        if (runs.isEmpty()) throw new IllegalArgumentException("no runs to report on");
        Files.createDirectories(out);
        var metrics = new ArrayList<RunMetrics>();
        for (var run : runs) {
            metrics.add(RunMetrics.of(run.name(), run.results(), slo.orElse(RunInfo.slo(run.results())), window));
        }

        var doc = new Document("ServeLab report: " + String.join(" vs ", runs.stream().map(NamedRun::name).toList()));
        doc.bullets(runs.stream().map(r -> "`" + r.name() + "`: `" + r.results().dir() + "`").toList());
        var notes = new ArrayList<>(notes(runs, slo));
        if (!window.isAll()) {
            notes.addFirst("the tables cover " + window + " of each run's clock: latencies and outcomes of the "
                    + "requests that arrived in it, throughputs and goodput of what completed in it over its length "
                    + "within the run (the duration column; the throughput paragraph's 'first arrival to last "
                    + "completion' is then the window's part of the run); the charts show the whole runs");
        }
        if (!notes.isEmpty()) doc.paragraph("Notes:").bullets(notes);
        doc.heading(2, "Runs");
        if (runs.size() > 1) {
            doc.paragraph("A plugin's parameters that every run using it shares are left out (each run.json lists "
                    + "them all, defaults included).");
        }
        table(doc, RunTables.plugins(runs, metrics));
        table(doc.heading(2, "Throughput and counters").paragraph("Throughput and goodput over the run's duration "
                + "(first arrival to last completion; `vllm bench serve` divides by its benchmark's wall time, which "
                + "an imported vLLM run keeps in its run.json, so its figures here can differ slightly); goodput counts completed "
                + "requests that meet every SLO. n/a: the run has no data for it (no prefix lookups, no speculative "
                + "drafts, an import without preemption counts)."), RunTables.throughput(metrics));
        table(doc.heading(2, "Latency (ms)").paragraph("Over completed requests; ITL pools every gap between "
                + "consecutive tokens. p50 and p99 interpolate linearly (numpy's default)."), RunTables.latency(metrics));

        var charts = new ArrayList<Path>();
        doc.heading(2, "Latency distributions");
        for (var e : RunCharts.latencyColumns().entrySet()) {
            String metric = e.getKey().replace("_ms", "");
            chart(doc, out, charts, "cdf-" + metric + ".png", "CDF of " + e.getValue(),
                    RunCharts.cdf(runs, e.getKey(), e.getValue() + " (CDF)", metric.toUpperCase(java.util.Locale.ROOT) + " (ms)"));
        }
        doc.heading(2, "Over time").paragraph("Run clock on the x axis (simulated seconds for a simulated run); "
                + "dashed vertical lines are plugin swaps (events.arrow, type swap).");
        chart(doc, out, charts, "ttft-over-time.png", "TTFT over time", RunCharts.latencyOverTime(runs, "ttft_ms",
                "TTFT by arrival time, median and p90", "TTFT (ms)"));
        chart(doc, out, charts, "e2el-over-time.png", "E2EL over time", RunCharts.latencyOverTime(runs, "e2el_ms",
                "End-to-end latency by arrival time, median and p90", "E2EL (ms)"));
        if (FaultCharts.anyFaults(runs)) {
            chart(doc.paragraph("Injected faults and scaling decisions (events.arrow, types fault-start, fault-end "
                    + "and scale) are vertical lines: a fault's start dotted, its end sparsely dotted, a scaling "
                    + "decision dash-dot; with several runs, in their run's colour."), out, charts, "goodput-failures.png", "Goodput and failures "
                    + "over time", FaultCharts.goodputAndFailures(runs, metrics.stream().map(RunMetrics::slo).toList()));
        }
        if (runs.stream().anyMatch(RunCharts::hasIterations)) {
            chart(doc, out, charts, "kv-blocks.png", "KV blocks in use", RunCharts.kvBlocks(runs));
            chart(doc, out, charts, "batch-size.png", "Batch size", RunCharts.batchSize(runs));
            chart(doc, out, charts, "tokens-per-iteration.png", "Tokens per iteration", RunCharts.tokensPerIteration(runs));
        }
        if (ClusterCharts.anyCluster(runs)) {
            table(doc.heading(2, "Cluster").paragraph("Load imbalance: the busiest replica's completed requests over "
                    + "the mean (1 = even). Prefix hit ratio: prompt tokens served from replicas' caches. Little's law: "
                    + "L, the mean of the requests in the system sampled in cluster.arrow, against arrival rate x mean "
                    + "time in system from requests.arrow."), ClusterCharts.table(runs,
                    metrics.stream().map(RunMetrics::summary).toList()));
            chart(doc, out, charts, "replica-load.png", "Requests in the system per replica",
                    ClusterCharts.replicaLoad(runs));
            chart(doc, out, charts, "routing-comparison.png", "Routing comparison", ClusterCharts.routingComparison(runs));
        }
        doc.write(out, "report");
        return new Written(out.resolve("report.md"), out.resolve("report.html"), List.copyOf(charts));
    }

    private static void table(Document doc, RunTables.Rows rows) {
        doc.table(rows.header(), rows.rows());
    }

    private static void chart(Document doc, Path out, List<Path> charts, String file, String alt,
                              org.knowm.xchart.internal.chartpart.IChart chart)
            throws IOException {
        Png.write(chart, out.resolve(file));
        charts.add(out.resolve(file));
        doc.image(file, alt);
    }

    /**
     * What a reader must know before comparing the runs: cut or recovered tables, missing files, SLOs or workloads
     * that differ (Markdown; the report lists them and {@code servelab report} prints them).
     *
     * @param slo one SLO for every run, or empty for each run's own
     */
    public static List<String> notes(List<NamedRun> runs, Optional<Slo> slo) {
        return notes(runs, slo.isPresent() ? List.of() : runs.stream().map(r -> RunInfo.slo(r.results())).toList());
    }

    /** @param ownSlos each run's own SLO, in order (empty when one SLO was given for all) */
    private static List<String> notes(List<NamedRun> runs, List<Slo> ownSlos) {
        var notes = new ArrayList<String>();
        for (var run : runs) {
            for (var note : run.results().notes()) notes.add("`" + run.name() + "`: " + note);
            if (!Files.exists(run.results().dir().resolve("run.json"))) {
                notes.add("`" + run.name() + "` has no run.json: its plugins, SLO and workload are unknown (goodput is"
                        + " n/a without --slo, and whether it replayed the others' workload cannot be told)");
            }
            if (!RunCharts.hasIterations(run)) { // an empty table is a run that made no step, not an import
                var table = run.results().table(servelab.runtime.record.ResultTable.ITERATIONS);
                notes.add("`" + run.name() + "` " + (table.isEmpty() ? "has no iterations table (an imported run)"
                        : "recorded no engine step (every request failed before one, or record.iteration_every is 0)")
                        + ": it is left out of the per-iteration charts");
            }
        }
        if (ownSlos.stream().distinct().count() > 1) {
            var each = new ArrayList<String>();
            for (int i = 0; i < runs.size(); i++) {
                each.add("`" + runs.get(i).name() + "` " + (ownSlos.get(i).equals(Slo.NONE) ? "none" : ownSlos.get(i)));
            }
            notes.add("goodput counts each run's requests against its own SLO, and the SLOs differ (" + String.join(", ",
                    each) + "): the goodput figures do not compare; `--slo` judges every run by one");
        }
        for (var run : runs) {
            try {
                servelab.runtime.report.LoadTrend.compute(run.results().dir()).filter(t -> t.overloaded())
                        .ifPresent(t -> notes.add("`" + run.name() + "`: " + t.warning()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        var other = otherWorkloads(runs);
        if (!other.isEmpty()) {
            notes.add("these runs did not replay one workload (run.json's `trace` or `seed` differ from `"
                    + runs.getFirst().name() + "`'s: " + String.join(", ", other) + "): their figures are not "
                    + "side-by-side measurements of one load");
        }
        return notes;
    }

    /**
     * The runs whose trace (file and transforms, or synthetic workload) differs from the first run's, or whose seed
     * does where the seed shapes the workload (a synthetic trace, a {@code shared_prefix} transform; a trace file's
     * requests are the same whatever the seed).
     */
    static List<String> otherWorkloads(List<NamedRun> runs) {
        var out = new ArrayList<String>();
        var first = runs.getFirst().results().runInfo();
        for (var run : runs.subList(1, runs.size())) {
            var info = run.results().runInfo();
            if (info.isEmpty() || first.isEmpty()) continue; // no run.json: unknown, and said so apart
            if (!java.util.Objects.equals(workload(first.get("trace")), workload(info.get("trace")))
                    || seedShapes(first.get("trace")) && !java.util.Objects.equals(first.get("seed"), info.get("seed"))) {
                out.add("`" + run.name() + "`");
            }
        }
        return out;
    }

    /** Whether a run.json trace section's requests depend on the run's seed. */
    private static boolean seedShapes(Object trace) {
        if (!(trace instanceof java.util.Map<?, ?> map) || map.get("synthetic") != null) return true;
        return map.get("transforms") instanceof java.util.Map<?, ?> t && t.get("shared_prefix") != null;
    }

    /** A run.json trace section without what reading it counted (rows read and skipped are outcomes, not inputs). */
    private static Object workload(Object trace) {
        if (!(trace instanceof java.util.Map<?, ?> map)) return trace;
        var copy = new java.util.LinkedHashMap<Object, Object>(map);
        for (var key : List.of("rows_read", "rows_skipped", "rows_clamped", "file")) copy.remove(key);
        return copy;
    }
}

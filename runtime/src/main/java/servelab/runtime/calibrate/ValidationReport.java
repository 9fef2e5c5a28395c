package servelab.runtime.calibrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import servelab.runtime.record.Json;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Table;
import servelab.runtime.report.chart.Charts;
import servelab.runtime.report.chart.Png;
import servelab.runtime.report.doc.Document;

/**
 * A validation as a report: {@code validation.md} and {@code validation.html} (the error table with the real runs'
 * spread, the per-request E2EL error distribution, sim-vs-real CDFs with every real run, one chart per metric) and {@code validation.json} (the same figures for
 * scripts and tests).
 */
public final class ValidationReport {
    private ValidationReport() {}

    /** The files written. */
    public record Written(Path markdown, Path html, Path json, List<Path> charts) {}

    public static Written write(Validation.Result r, String profile, Path dir) throws IOException {
        var reals = new ArrayList<RunResults>();
        for (var d : r.realDirs()) reals.add(RunResults.load(d));
        var real = reals.getFirst();
        var sim = RunResults.load(r.simulatedDir());
        boolean repeated = reals.size() > 1;
        var realDirs = r.realDirs().stream().map(d -> "`" + d + "`").collect(java.util.stream.Collectors.joining(", "));
        var doc = new Document("Simulation vs real: " + real.runInfo().getOrDefault("name", "experiment"));
        doc.paragraph("The same trace, plugins and seed on the model executor (" + realDirs + ") and in simulation"
                + " with profile `" + profile + "` (`" + r.simulatedDir() + "`). Error = (simulated - real) / real.");
        if (repeated) {
            doc.paragraph(reals.size() + " real runs: each statistic's real value is its median over the runs, and the"
                    + " real spread is (max - min) / median over them, the real world's own run-to-run variation; an"
                    + " error smaller than the spread cannot be told from noise.");
        }
        doc.bullets(List.of("real: `" + real.runInfo().get("executor") + "`; " + r.real().completed() + " requests completed, "
                        + r.real().failed() + " failed" + (repeated ? " (first run)" : ""),
                "simulated: `" + sim.runInfo().get("executor") + "`; " + r.simulated().completed()
                        + " requests completed, " + r.simulated().failed() + " failed"));
        if (r.real().failed() != r.simulated().failed()) {
            doc.paragraph("Warning: the runs failed different numbers of requests (the model refuses requests longer"
                    + " than its context; simulation does not), so they did not serve the same work.");
        }
        doc.heading(2, "Errors per metric");
        var rows = new ArrayList<List<String>>();
        for (var e : r.errors()) {
            rows.add(List.of(e.metric(), e.statistic(), num(e.real()), num(e.simulated()), percent(e.relative()),
                    repeated ? String.format(Locale.ROOT, "%.1f%%", 100 * e.realSpread()) : "–"));
        }
        doc.table(List.of("metric", "statistic", "real", "simulated", "error", "real spread"), rows);
        doc.paragraph("Latencies in ms (TPOT over requests with more than one output token; ITL pools every gap).");
        doc.heading(2, "Per-request E2EL error");
        var s = r.e2elErrorStats();
        doc.table(List.of("requests", "mean |error|", "p50", "p90", "p99", "within 5%", "within 10%"),
                List.of(List.of(Integer.toString(s.count()), share(s.mean()), share(s.median()), share(s.p90()),
                        share(s.p99()), share(r.fractionWithin(0.05)), share(r.fractionWithin(0.10)))));
        var kinds = StepKinds.of(reals, sim);
        doc.heading(2, "Where the time differs: steps by kind");
        doc.paragraph("Each kind's mean step time over every real run's steps against the simulation's, and the busy"
                + " time in that kind (the median real run's). The worlds take different step sequences, but the same"
                + " plugins give a kind the same shapes on average, so a kind whose mean step is off is one the profile"
                + " prices wrong, and its share of the busy time says how much that moves the latencies.");
        var kindRows = new ArrayList<List<String>>();
        for (var k : kinds.kinds()) {
            kindRows.add(List.of(k.kind(), Long.toString(k.realSteps()), Long.toString(k.simSteps()), num(k.realMeanMs()),
                    num(k.simMeanMs()), percent(k.relative()), num(k.realBusyMs()), num(k.simBusyMs()),
                    percent(k.busyRelative()), share(k.realBusyShare())));
        }
        doc.table(List.of("steps", "real steps", "simulated steps", "real mean (ms)", "simulated mean (ms)", "error",
                "real busy (ms)", "simulated busy (ms)", "busy error", "share of real busy"), kindRows);
        var charts = new ArrayList<Path>();
        doc.heading(2, "Distributions");
        for (var m : List.of(List.of("ttft_ms", "Time to first token", "TTFT (ms)"),
                List.of("tpot_ms", "Time per output token", "TPOT (ms)"),
                List.of("itl_ms", "Inter-token latency", "ITL (ms)"),
                List.of("e2el_ms", "End-to-end latency", "E2EL (ms)"))) {
            var values = new LinkedHashMap<String, double[]>();
            for (int k = 0; k < reals.size(); k++) {
                values.put(repeated ? "real " + (k + 1) : "real", column(reals.get(k).requests(), m.get(0)));
            }
            values.put("simulated", column(sim.requests(), m.get(0)));
            var file = dir.resolve("cdf-" + m.get(0).replace("_ms", "") + ".png");
            Png.write(Charts.cdf(m.get(1) + ": simulated vs real", m.get(2), values), file);
            charts.add(file);
            doc.image(file.getFileName().toString(), "CDF of " + m.get(2));
        }
        var errorPercent = new double[r.e2elErrors().length];
        for (int i = 0; i < errorPercent.length; i++) errorPercent[i] = 100 * r.e2elErrors()[i];
        var errorChart = dir.resolve("cdf-e2el-error.png");
        Png.write(Charts.cdf("Per-request E2EL error", "(simulated - real) / real (%)", Map.of("requests", errorPercent)),
                errorChart);
        charts.add(errorChart);
        doc.image(errorChart.getFileName().toString(), "CDF of the per-request E2EL error");
        doc.write(dir, "validation");
        var json = dir.resolve("validation.json");
        var jsonMap = json(r, profile);
        jsonMap.put("step_kinds", kinds.kinds().stream().map(k -> Json.ordered("kind", k.kind(), "real_steps", k.realSteps(),
                "simulated_steps", k.simSteps(), "real_mean_ms", finite(k.realMeanMs()),
                "simulated_mean_ms", finite(k.simMeanMs()), "relative_error", finite(k.relative()),
                "real_busy_ms", finite(k.realBusyMs()), "simulated_busy_ms", k.simBusyMs(),
                "busy_relative_error", finite(k.busyRelative()), "real_busy_share", finite(k.realBusyShare()))).toList());
        Json.write(json, jsonMap);
        return new Written(dir.resolve("validation.md"), dir.resolve("validation.html"), json, List.copyOf(charts));
    }

    private static Map<String, Object> json(Validation.Result r, String profile) {
        var out = new LinkedHashMap<String, Object>();
        out.put("real", r.realDirs().stream().map(Path::toString).toList());
        out.put("simulated", r.simulatedDir().toString());
        out.put("profile", profile);
        out.put("completed", Json.ordered("real", r.real().completed(), "simulated", r.simulated().completed()));
        out.put("failed", Json.ordered("real", r.real().failed(), "simulated", r.simulated().failed()));
        var errors = new ArrayList<Map<String, Object>>();
        for (var e : r.errors()) {
            var m = new LinkedHashMap<String, Object>();
            m.put("metric", e.metric());
            m.put("statistic", e.statistic());
            m.put("real", e.real());
            m.put("simulated", e.simulated());
            m.put("relative_error", e.relative());
            m.put("real_min", e.realMin());
            m.put("real_max", e.realMax());
            m.put("real_spread", e.realSpread());
            errors.add(m);
        }
        out.put("errors", errors);
        var s = r.e2elErrorStats();
        out.put("e2el_request_error", Json.ordered("requests", s.count(), "mean_abs", s.mean(),
                "p50_abs", s.median(), "p90_abs", s.p90(), "p99_abs", s.p99(),
                "within_5pct", r.fractionWithin(0.05), "within_10pct", r.fractionWithin(0.10)));
        return out;
    }

    /** A latency column's values; list columns (ITL) pooled. */
    private static double[] column(Table requests, String column) {
        if (!column.equals("itl_ms")) return requests.doubles(column);
        return requests.doubleLists(column).stream().filter(java.util.Objects::nonNull)
                .flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    /** A figure for JSON: null where there is none (a kind one world never ran). */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    static String num(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** A signed error: +12.0% or -3.5%. */
    static String percent(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%+.1f%%", 100 * v);
    }

    /** A magnitude or a fraction, without a sign: |error| statistics, the share of requests within a bound. */
    static String share(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }
}

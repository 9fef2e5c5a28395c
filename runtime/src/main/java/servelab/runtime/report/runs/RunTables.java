package servelab.runtime.report.runs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import servelab.runtime.report.NamedRun;
import servelab.runtime.report.RunInfo;
import servelab.runtime.report.RunMetrics;
import servelab.runtime.report.Stats;

/** The comparison tables, one row per run, as header and rows of text (numbers formatted, n/a where unknown). */
public final class RunTables {

    private RunTables() {
    }

    /** A table: header cells and rows of cells. */
    public record Rows(List<String> header, List<List<String>> rows) {}

    /**
     * Plugins with their parameters, one column per plugin kind any run has (a slot swapped while the run went on
     * shows each plugin in turn: {@code fcfs → sjf (key=prompt)}); requests completed and failed.
     */
    public static Rows plugins(List<NamedRun> runs, List<RunMetrics> metrics) {
        var kinds = new LinkedHashSet<String>();
        for (var m : metrics) kinds.addAll(m.plugins().keySet());
        var header = new ArrayList<>(List.of("run"));
        header.addAll(kinds);
        header.addAll(List.of("completed", "failed", "duration (s)"));
        var rows = new ArrayList<List<String>>();
        for (int i = 0; i < runs.size(); i++) {
            var m = metrics.get(i);
            var row = new ArrayList<>(List.of(m.label()));
            var results = runs.get(i).results();
            String source = RunInfo.source(results);
            var swaps = RunInfo.swaps(results);
            var ids = RunInfo.pluginIds(results);
            var params = RunInfo.pluginParams(results);
            for (var kind : kinds) {
                var id = ids.get(kind);
                var cell = new StringBuilder(id == null ? (source.isEmpty() ? "" : "(imported: " + source + ")")
                        : id + RunInfo.paramsText(differing(runs, kind, id, params.getOrDefault(kind, Map.of()))));
                for (var to : swaps.getOrDefault(kind, List.of())) cell.append(" → ").append(to);
                row.add(cell.toString());
            }
            row.add(Integer.toString(m.summary().completed()));
            row.add(Integer.toString(m.summary().failed()));
            row.add(number(m.summary().durationS(), 1));
            rows.add(row);
        }
        return new Rows(header, rows);
    }

    /**
     * {@code params} less those every other run with plugin {@code id} in slot {@code kind} has with the same value:
     * a comparison shows what differs (run.json has them all); a plugin only one run has shows all of its own.
     */
    static Map<String, Object> differing(List<NamedRun> runs, String kind, String id, Map<String, Object> params) {
        var others = runs.stream().map(NamedRun::results).filter(r -> id.equals(RunInfo.pluginIds(r).get(kind)))
                .map(r -> RunInfo.pluginParams(r).getOrDefault(kind, Map.of())).toList();
        if (others.size() < 2) return params;
        var shown = new java.util.LinkedHashMap<String, Object>();
        params.forEach((k, v) -> {
            if (!others.stream().allMatch(o -> java.util.Objects.equals(o.get(k), v))) shown.put(k, v);
        });
        return shown;
    }

    /** Throughput, goodput with its SLO, prefix hit rate, preemptions, speculative acceptance rate. */
    public static Rows throughput(List<RunMetrics> metrics) {
        var header = List.of("run", "req/s", "output tok/s", "total tok/s", "goodput req/s", "SLO (ms)",
                "prefix hit rate", "preemptions", "acceptance rate");
        var rows = new ArrayList<List<String>>();
        for (var m : metrics) {
            var s = m.summary();
            rows.add(List.of(m.label(), number(s.requestThroughput(), 2), number(s.outputThroughput(), 1),
                    number(s.totalTokenThroughput(), 1), number(s.goodput().orElse(Double.NaN), 2),
                    m.slo().isEmpty() ? "none" : m.slo().toString(), percent(m.prefixHitRate()),
                    m.preemptions().isPresent() ? Long.toString(m.preemptions().getAsLong()) : "n/a",
                    percent(m.acceptanceRate())));
        }
        return new Rows(header, rows);
    }

    /** Mean, median and p99 of TTFT, TPOT, ITL and E2EL in milliseconds. */
    public static Rows latency(List<RunMetrics> metrics) {
        var header = new ArrayList<>(List.of("run"));
        for (var metric : List.of("TTFT", "TPOT", "ITL", "E2EL")) {
            header.addAll(List.of(metric + " mean", metric + " p50", metric + " p99"));
        }
        var rows = new ArrayList<List<String>>();
        for (var m : metrics) {
            var row = new ArrayList<>(List.of(m.label()));
            var s = m.summary();
            for (Stats st : List.of(s.ttftMs(), s.tpotMs(), s.itlMs(), s.e2elMs())) {
                row.addAll(List.of(number(st.mean(), 2), number(st.median(), 2), number(st.p99(), 2)));
            }
            rows.add(row);
        }
        return new Rows(header, rows);
    }

    /** {@code x} with {@code decimals} decimals, or {@code n/a} when it is NaN or infinite. */
    public static String number(double x, int decimals) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%." + decimals + "f", x) : "n/a";
    }

    /** A fraction as a percentage with one decimal, or {@code n/a}. */
    public static String percent(double fraction) {
        return Double.isFinite(fraction) ? String.format(Locale.ROOT, "%.1f%%", fraction * 100) : "n/a";
    }
}

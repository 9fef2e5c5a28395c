package servelab.runtime.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import servelab.runtime.record.RequestRow;
import servelab.runtime.record.ResultTable;

/**
 * How a run's requests ended and what failures cost, from its files only: counts per outcome, goodput, the tokens
 * computed and thrown away, duplicate executions the idempotency keys avoided, and availability (the fraction of
 * requests answered within the gateway's timeout) overall and per window of arrival time.
 *
 * @param outcomes          requests per {@code outcome} (every outcome listed, 0 when none)
 * @param goodput           requests answered within the timeout per second of the run (first arrival to last
 *                          completion); NaN when none was answered
 * @param wastedTokens      Σ {@code wasted_tokens}
 * @param wastedFraction    wasted / (wasted + the tokens computed for the answers used: uncached prompt and output
 *                          tokens of completed requests); NaN when nothing was computed
 * @param duplicatesAvoided retries answered from a held answer or attached to a running copy (run.json), -1 when
 *                          the run did not record it
 * @param timeoutMs         the request timeout availability is measured against (run.json; 0: none, answered at all)
 * @param availability      answered within the timeout / all requests
 * @param windows           availability per {@link #WINDOW_S}-second window of arrival time, in time order
 */
public record ResilienceSummary(Map<String, Long> outcomes, double goodput, long wastedTokens, double wastedFraction,
                                long duplicatesAvoided, double timeoutMs, double availability, List<Window> windows) {
    /** Length of an availability window, seconds. */
    public static final double WINDOW_S = 10;

    /** Requests that arrived in {@code [startS, startS + WINDOW_S)} and how many of them were answered in time. */
    public record Window(double startS, long requests, long answered) {
        public double availability() {
            return requests == 0 ? Double.NaN : (double) answered / requests;
        }
    }

    /** Empty for a run without the gateway's columns (imported, or written before them). */
    public static Optional<ResilienceSummary> compute(RunResults results) {
        if (!results.requests().has("outcome")) return Optional.empty();
        try {
            return Optional.of(compute(TableScan.of(results.requests()), results.runInfo()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a loaded table reads no file
        }
    }

    /** As {@link #compute(RunResults)}, reading the run folder batch by batch (memory bounded however long the run). */
    public static Optional<ResilienceSummary> compute(Path runDir) throws IOException {
        var scan = TableScan.of(runDir, ResultTable.REQUESTS, "outcome", "arrival_ns", "completion_ns",
                "wasted_tokens", "input_tokens", "cached_prefix_tokens", "output_tokens");
        if (scan.isEmpty()) return Optional.empty();
        var info = RunResults.readRunJson(runDir.resolve("run.json"));
        var tally = new Tally(number(info, "gateway", "timeout_ms", 0));
        scan.get().forEach(tally::add);
        return tally.rows == 0 || tally.hasOutcome ? Optional.of(tally.summary(info)) : Optional.empty();
    }

    private static ResilienceSummary compute(TableScan.Batches requests, Map<String, Object> info) throws IOException {
        var tally = new Tally(number(info, "gateway", "timeout_ms", 0));
        requests.forEach(tally::add);
        return tally.summary(info);
    }

    /** One pass over the requests: outcomes, wasted and used tokens, answers in time per window. */
    private static final class Tally {
        final double timeoutMs;
        final Map<String, Long> counts = new LinkedHashMap<>();
        final TreeMap<Long, long[]> byWindow = new TreeMap<>();
        long rows, answered, wasted, used, first = Long.MAX_VALUE, last = Long.MIN_VALUE;
        boolean hasOutcome, wastedKnown;

        Tally(double timeoutMs) {
            this.timeoutMs = timeoutMs;
            for (var o : RequestRow.Outcome.values()) counts.put(o.id(), 0L);
        }

        void add(Table r) {
            if (!r.has("outcome")) return;
            hasOutcome = true;
            var outcome = r.strings("outcome");
            long[] arrival = r.longs("arrival_ns"), completion = r.longs("completion_ns"), lost = r.longs("wasted_tokens");
            long[] input = r.longs("input_tokens"), cached = r.longs("cached_prefix_tokens"), output = r.longs("output_tokens");
            for (int i = 0; i < r.rowCount(); i++) {
                rows++;
                counts.merge(outcome.get(i), 1L, Long::sum);
                wasted += Math.max(0, lost[i]);
                wastedKnown |= lost[i] >= 0; // null in a load client's rows: it cannot know
                first = Math.min(first, arrival[i]);
                boolean completed = outcome.get(i).equals(RequestRow.Outcome.COMPLETED.id());
                if (completed) used += Math.max(0, input[i] - Math.max(0, cached[i])) + output[i];
                boolean inTime = completed && (timeoutMs <= 0 || (completion[i] - arrival[i]) / 1e6 <= timeoutMs);
                var w = byWindow.computeIfAbsent((long) Math.floor(arrival[i] / 1e9 / WINDOW_S), k -> new long[2]);
                w[0]++;
                if (inTime) {
                    w[1]++;
                    answered++;
                    last = Math.max(last, completion[i]);
                }
            }
        }

        ResilienceSummary summary(Map<String, Object> info) {
            var windows = new ArrayList<Window>();
            byWindow.forEach((k, w) -> windows.add(new Window(k * WINDOW_S, w[0], w[1])));
            double durationS = answered == 0 ? Double.NaN : (last - first) / 1e9;
            double duplicates = number(info, "result", "duplicate_executions_avoided", Double.NaN);
            return new ResilienceSummary(counts, durationS > 0 ? answered / durationS : Double.NaN,
                    wastedKnown || rows == 0 ? wasted : -1,
                    !wastedKnown || wasted + used == 0 ? Double.NaN : (double) wasted / (wasted + used),
                    Double.isNaN(duplicates) ? -1 : (long) duplicates, Math.max(0, timeoutMs),
                    rows == 0 ? Double.NaN : (double) answered / rows, List.copyOf(windows));
        }
    }

    /** {@code run.json[section][key]} as a number, {@code absent} when it is not there. */
    private static double number(Map<String, Object> info, String section, String key, double absent) {
        if (info != null && info.get(section) instanceof Map<?, ?> map && map.get(key) instanceof Number n) {
            return n.doubleValue();
        }
        return absent;
    }

    /** The summary.json keys (runtime/RESULTS-SCHEMA.md); NaN becomes null. */
    public Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        outcomes.forEach((o, n) -> json.put("outcome_" + o, n));
        json.put("goodput", orNull(goodput));
        json.put("wasted_tokens", wastedTokens < 0 ? null : wastedTokens);
        json.put("wasted_token_fraction", orNull(wastedFraction));
        json.put("duplicate_executions_avoided", duplicatesAvoided < 0 ? null : duplicatesAvoided);
        json.put("availability", orNull(availability));
        var list = new ArrayList<Map<String, Object>>();
        for (var w : windows) {
            var m = new LinkedHashMap<String, Object>();
            m.put("start_s", w.startS());
            m.put("requests", w.requests());
            m.put("answered", w.answered());
            m.put("availability", orNull(w.availability()));
            list.add(m);
        }
        json.put("availability_windows", list);
        return json;
    }

    private static Double orNull(double x) {
        return Double.isFinite(x) ? x : null;
    }
}

package servelab.runtime.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

import servelab.runtime.record.Json;
import servelab.runtime.record.ResultTable;
import servelab.runtime.record.Slo;

/**
 * A run's headline figures, defined as vLLM's {@code bench serve} defines them ({@code calculate_metrics} in
 * vllm/benchmarks/serve.py), computed from the requests table only, so converted vLLM and Vidur runs get the same
 * figures as ours.
 *
 * <ul>
 *   <li>Latencies (TTFT, TPOT, ITL, E2EL) are over completed requests (empty {@code error}); TPOT leaves out
 *       requests with at most one output token; ITL pools every gap of every completed request.</li>
 *   <li>{@code durationS} runs from the first arrival of any request to the last completion. vLLM measures its
 *       benchmark's wall time instead (from sending the first request until all answered); the two agree when the
 *       first request is sent at once and the last one to finish is the last answer.</li>
 *   <li>Throughputs divide completed requests, their output tokens, and their input plus output tokens by the
 *       duration; goodput divides the completed requests that meet every objective of {@code slo} (see
 *       {@link Slo#isMet}) by it: 0 when none counts, NaN when the duration is 0. The duration is NaN (null)
 *       when no request completed.</li>
 * </ul>
 *
 * @param completed            requests that finished without error
 * @param failed               requests with an error
 * @param durationS            first arrival to last completion, seconds
 * @param totalInputTokens     prompt tokens of completed requests
 * @param totalOutputTokens    output tokens of completed requests
 * @param requestThroughput    completed / duration, requests per second
 * @param outputThroughput     output tokens / duration, tokens per second
 * @param totalTokenThroughput (input + output tokens) / duration, tokens per second
 * @param goodput              good requests / duration, requests per second; empty when {@code slo} has no objective
 * @param slo                  the objectives goodput was computed for
 * @param ttftMs               time to first token
 * @param tpotMs               time per output token after the first
 * @param itlMs                inter-token latency, all gaps pooled
 * @param e2elMs               end-to-end latency
 * @param preemptions          preemptions of all requests (known ones: imported runs may have none); -1 when no row
 *                             knows it (a client's run: {@code servelab load} sees no preemption)
 * @param good                 completed requests meeting every objective of {@code slo} (0 without objectives)
 */
public record Summary(int completed, int failed, double durationS, long totalInputTokens, long totalOutputTokens,
                      double requestThroughput, double outputThroughput, double totalTokenThroughput,
                      OptionalDouble goodput, Slo slo, Stats ttftMs, Stats tpotMs, Stats itlMs, Stats e2elMs,
                      long preemptions, int good) {

    private static final int WIDTH = 50;

    public Summary {
        Objects.requireNonNull(goodput, "Summary.goodput");
        Objects.requireNonNull(slo, "Summary.slo");
        Objects.requireNonNull(ttftMs, "Summary.ttftMs");
        Objects.requireNonNull(tpotMs, "Summary.tpotMs");
        Objects.requireNonNull(itlMs, "Summary.itlMs");
        Objects.requireNonNull(e2elMs, "Summary.e2elMs");
    }

    /**
     * The summary of a loaded run under the given objectives ({@link Slo#NONE} for none); for a run loaded without its
     * list columns, read from its folder batch by batch ({@link #compute(Path, Slo)}).
     */
    public static Summary compute(RunResults results, Slo slo) {
        return compute(results, slo, Window.ALL);
    }

    /** The summary of the requests of a loaded run that arrived in {@code window}, with the same definitions. */
    public static Summary compute(RunResults results, Slo slo, Window window) {
        if (results.hasLists()) return SummaryCalculator.compute(results.requests(), slo, window);
        try {
            var requests = TableScan.of(results.dir(), ResultTable.REQUESTS, SummaryCalculator.COLUMNS)
                    .orElseThrow(() -> new InvalidResultsException(results.dir(), "no " + ResultTable.REQUESTS.fileName()));
            return SummaryCalculator.compute(requests.batches(), slo, ManyValues::new, window);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The summary of a run folder read batch by batch, so memory stays bounded however many requests it holds (the
     * figures are those of {@link #compute(RunResults, Slo)}; see {@link ManyValues} for the last bits of a mean).
     *
     * @throws InvalidResultsException when the folder has no readable requests table
     */
    public static Summary compute(Path runDir, Slo slo) throws IOException {
        var requests = TableScan.of(runDir, ResultTable.REQUESTS, SummaryCalculator.COLUMNS)
                .orElseThrow(() -> new InvalidResultsException(runDir, "no " + ResultTable.REQUESTS.fileName()));
        return SummaryCalculator.compute(requests.batches(), slo, ManyValues::new);
    }

    /**
     * DistServe's SLO attainment: the fraction of all requests (failed, rejected and timed-out ones included) that
     * completed meeting every objective; NaN without objectives or requests. Goodput divides the same count by the
     * duration, so it moves with the trace's pace; this does not.
     */
    public double sloAttainment() {
        int all = completed + failed;
        return goodput.isEmpty() || all == 0 ? Double.NaN : (double) good / all;
    }

    /** A block like the one {@code vllm bench serve} prints, with P90 besides P99 and ServeLab's preemptions. */
    public String format() {
        var out = new StringBuilder();
        out.append(center(" Serving Benchmark Result ", '=')).append('\n');
        line(out, "Successful requests:", Integer.toString(completed));
        line(out, "Failed requests:", Integer.toString(failed));
        line(out, "Benchmark duration (s):", number(durationS));
        line(out, "Total input tokens:", Long.toString(totalInputTokens));
        line(out, "Total generated tokens:", Long.toString(totalOutputTokens));
        line(out, "Request throughput (req/s):", number(requestThroughput));
        if (goodput.isPresent()) {
            line(out, "Request goodput (req/s):", number(goodput.getAsDouble()));
            line(out, "Goodput SLOs (ms):", slo.toString());
            line(out, "SLO attainment (%):", number(100 * sloAttainment()));
        }
        line(out, "Output token throughput (tok/s):", number(outputThroughput));
        line(out, "Total token throughput (tok/s):", number(totalTokenThroughput));
        line(out, "Preemptions:", preemptions < 0 ? "n/a" : Long.toString(preemptions)); // a client's run printed 0
        section(out, "Time to First Token", "TTFT", ttftMs);
        section(out, "Time per Output Token (excl. 1st token)", "TPOT", tpotMs);
        section(out, "Inter-token Latency", "ITL", itlMs);
        section(out, "End-to-end Latency", "E2EL", e2elMs);
        out.append("=".repeat(WIDTH)).append('\n');
        return out.toString();
    }

    /**
     * The summary under vLLM's result-JSON keys ({@code completed}, {@code duration}, {@code request_throughput},
     * {@code mean_ttft_ms}, {@code p99_itl_ms}, ...), so a script can read ours and vLLM's alike; NaN becomes null.
     * ServeLab adds {@code slo}, {@code preemptions} and the {@code p90_*} keys.
     */
    public Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        json.put("completed", completed);
        json.put("failed", failed);
        json.put("duration", orNull(durationS));
        json.put("total_input_tokens", totalInputTokens);
        json.put("total_output_tokens", totalOutputTokens);
        json.put("request_throughput", orNull(requestThroughput));
        json.put("request_goodput", goodput.isPresent() ? orNull(goodput.getAsDouble()) : null);
        json.put("slo_attainment", orNull(sloAttainment()));
        json.put("slo", slo.isEmpty() ? null : slo.toString());
        json.put("output_throughput", orNull(outputThroughput));
        json.put("total_token_throughput", orNull(totalTokenThroughput));
        json.put("preemptions", preemptions < 0 ? null : preemptions);
        stats(json, "ttft", ttftMs);
        stats(json, "tpot", tpotMs);
        stats(json, "itl", itlMs);
        stats(json, "e2el", e2elMs);
        return json;
    }

    /** Writes {@link #toJson()} to {@code file} (conventionally {@code summary.json} in the run folder). */
    public void writeJson(Path file) throws IOException {
        Json.write(file, toJson());
    }

    private static void stats(Map<String, Object> json, String metric, Stats s) {
        json.put("mean_" + metric + "_ms", orNull(s.mean()));
        json.put("median_" + metric + "_ms", orNull(s.median()));
        json.put("std_" + metric + "_ms", orNull(s.std()));
        json.put("p90_" + metric + "_ms", orNull(s.p90()));
        json.put("p99_" + metric + "_ms", orNull(s.p99()));
    }

    private static Double orNull(double x) {
        return Double.isFinite(x) ? x : null;
    }

    private static void section(StringBuilder out, String header, String name, Stats s) {
        out.append(center(header, '-')).append('\n');
        line(out, "Mean " + name + " (ms):", number(s.mean()));
        line(out, "Median " + name + " (ms):", number(s.median()));
        line(out, "P90 " + name + " (ms):", number(s.p90()));
        line(out, "P99 " + name + " (ms):", number(s.p99()));
    }

    /** vLLM prints {@code "{:<40} {:<10}"}; the padding after the value is left out. */
    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-40s %s", label, value)).append('\n');
    }

    private static String number(double x) {
        return Double.isFinite(x) ? String.format(Locale.ROOT, "%.2f", x) : "n/a";
    }

    /** Python's {@code "{:c^50}".format(s)}: the odd fill character goes to the right. */
    private static String center(String s, char fill) {
        int pad = Math.max(0, WIDTH - s.length());
        int left = pad / 2;
        return String.valueOf(fill).repeat(left) + s + String.valueOf(fill).repeat(pad - left);
    }
}

package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.runtime.record.Rows.failed;
import static servelab.runtime.record.Rows.ok;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.record.Json;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.record.Slo;

/**
 * A tiny run worked by hand (times in ms, 10 input tokens each):
 * <pre>
 * r0 arrives  0, tokens at 10 15 25   ttft 10  tpot 7.5  itl 5 10  e2el 25
 * r1 arrives  5, tokens at 25 30      ttft 20  tpot 5    itl 5     e2el 25
 * r2 arrives 10, token  at 40         ttft 30  tpot -    itl -     e2el 30
 * r3 arrives 12, fails
 * </pre>
 * Duration: first arrival 0 to last completion 40 ms = 0.04 s.
 */
class SummaryTest {

    private static final double EPS = 1e-9;

    @TempDir
    Path tmp;

    private RunResults run;

    @BeforeEach
    void recordTinyRun() throws IOException {
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
            recorder.request(ok(0, 0, 10, 15, 25));
            recorder.request(ok(1, 5, 25, 30));
            recorder.request(ok(2, 10, 40));
            recorder.request(failed(3, 12, "fault"));
        }
        run = RunResults.load(dir);
    }

    @Test
    void countsAndThroughputsFollowVllm() {
        var s = Summary.compute(run, Slo.NONE);
        assertEquals(3, s.completed());
        assertEquals(1, s.failed());
        assertEquals(0.04, s.durationS(), EPS);
        assertEquals(30, s.totalInputTokens());
        assertEquals(6, s.totalOutputTokens());
        assertEquals(3 / 0.04, s.requestThroughput(), EPS);            // 75 req/s
        assertEquals(6 / 0.04, s.outputThroughput(), EPS);             // 150 tok/s
        assertEquals(36 / 0.04, s.totalTokenThroughput(), EPS);        // 900 tok/s
        assertTrue(s.goodput().isEmpty());
    }

    @Test
    void percentilesInterpolateLikeNumpy() {
        var s = Summary.compute(run, Slo.NONE);
        // TTFT 10 20 30: p90 at rank 1.8 = 20 + 0.8 * 10, p99 at rank 1.98
        assertEquals(rounded(new Stats(3, 20, 20, Math.sqrt(200.0 / 3), 28, 29.8)), rounded(s.ttftMs()));
        // TPOT 5 7.5 (r2 has one token): median 6.25, p90 at rank 0.9 = 5 + 0.9 * 2.5
        assertEquals(rounded(new Stats(2, 6.25, 6.25, 1.25, 7.25, 7.475)), rounded(s.tpotMs()));
        // ITL pooled 5 5 10
        assertEquals(rounded(new Stats(3, 20.0 / 3, 5, Math.sqrt(50.0 / 9), 9, 9.9)), rounded(s.itlMs()));
        // E2EL 25 25 30
        assertEquals(rounded(new Stats(3, 80.0 / 3, 25, Math.sqrt(50.0 / 9), 29, 29.9)), rounded(s.e2elMs()));
    }

    @Test
    void goodputCountsRequestsMeetingEveryObjective() {
        // ttft <= 25 and tpot <= 6: r0 fails on TPOT 7.5, r2 on TTFT 30; only r1 is good
        assertEquals(1 / 0.04, Summary.compute(run, Slo.parse("ttft=25,tpot=6")).goodput().orElseThrow(), EPS);
        // tpot <= 6 alone: r2 has one token and counts as TPOT 0, as in vLLM; r1 and r2 are good
        assertEquals(2 / 0.04, Summary.compute(run, Slo.parse("tpot=6")).goodput().orElseThrow(), EPS);
    }

    @Test
    void aWindowTakesLatenciesByArrivalAndThroughputByCompletionWithinIt() {
        // [4 ms, 31 ms): r1, r2 and r3 arrived in it (r0 at 0 is out), r0 and r1 completed in it (at 25 and 30 ms)
        var s = Summary.compute(run, Slo.NONE, new Window(0.004, 0.031));
        assertEquals(2, s.completed()); // r1 and r2, of the arrivals
        assertEquals(1, s.failed()); // r3
        assertEquals(0.027, s.durationS(), EPS); // the window, within the run
        assertEquals(2 / 0.027, s.requestThroughput(), EPS); // r0 and r1 completed in it
        assertEquals(5 / 0.027, s.outputThroughput(), EPS); // their 3 + 2 tokens
        assertEquals(rounded(new Stats(2, 25, 25, 5, 29, 29.9)), rounded(s.ttftMs())); // r1 and r2: TTFT 20 and 30
        assertEquals(rounded(new Stats(1, 5, 5, 0, 5, 5)), rounded(s.itlMs())); // r1's one gap
        // SLO attainment is of the window's arrivals: with TTFT <= 25, r1 of r1, r2 and r3 (r0, good too, completed in
        // the window but arrived before it: counting it made 2 of 3)
        var slo = Summary.compute(run, Slo.parse("ttft=25"), new Window(0.004, 0.031));
        assertEquals(1.0 / 3, slo.sloAttainment(), EPS);
        assertEquals(2 / 0.027, slo.goodput().orElseThrow(), EPS); // goodput by completion in it: r0 and r1
        // the whole window is the whole run
        assertEquals(Summary.compute(run, Slo.NONE).toJson(), Summary.compute(run, Slo.NONE, Window.ALL).toJson());
        // and a bad window is refused with the option's form
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Window.parse("70"));
        assertEquals("--window takes START,END in seconds, e.g. 60,600; was '70'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Window.parse("70,10"));
    }

    @Test
    void sloAttainmentIsTheGoodShareOfEveryRequestFailedOnesIncluded() {
        // one good request of four (one of them failed): 25%, DistServe's measure, which no duration moves
        var s = Summary.compute(run, Slo.parse("ttft=25,tpot=6"));
        assertEquals(0.25, s.sloAttainment(), EPS);
        assertEquals(0.25, (Double) s.toJson().get("slo_attainment"), EPS);
        assertTrue(s.format().contains("SLO attainment (%):                      25.00\n"), s.format());
        // without objectives there is none
        assertTrue(Double.isNaN(Summary.compute(run, Slo.NONE).sloAttainment()));
        assertEquals(null, Summary.compute(run, Slo.NONE).toJson().get("slo_attainment"));
    }

    @Test
    void formatsLikeVllmBenchServe() {
        var text = Summary.compute(run, Slo.parse("e2el=26")).format();
        assertTrue(text.startsWith("============ Serving Benchmark Result ============\n"
                + "Successful requests:                     3\n"
                + "Failed requests:                         1\n"
                + "Benchmark duration (s):                  0.04\n"), text);
        assertTrue(text.contains("Request goodput (req/s):                 50.00\n"), text);
        assertTrue(text.contains("---------------Time to First Token----------------\n"
                + "Mean TTFT (ms):                          20.00\n"
                + "Median TTFT (ms):                        20.00\n"
                + "P90 TTFT (ms):                           28.00\n"
                + "P99 TTFT (ms):                           29.80\n"), text);
        assertTrue(text.endsWith("=".repeat(50) + "\n"), text);
    }

    @Test
    void jsonUsesVllmResultKeys() throws IOException {
        var file = tmp.resolve("summary.json");
        Summary.compute(run, Slo.NONE).writeJson(file);
        Map<?, ?> json = Json.MAPPER.readValue(file.toFile(), Map.class);
        assertEquals(3, json.get("completed"));
        assertEquals(0.04, (Double) json.get("duration"), EPS);
        assertEquals(20.0, (Double) json.get("mean_ttft_ms"), EPS);
        assertEquals(9.9, (Double) json.get("p99_itl_ms"), EPS);
        assertNull(json.get("request_goodput"));
        assertTrue(json.containsKey("request_goodput"));
    }

    @Test
    void aRunWithoutCompletedRequestsHasNoLatencies() throws IOException {
        var dir = tmp.resolve("all-failed");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
            recorder.request(failed(0, 0, "fault"));
        }
        var s = Summary.compute(RunResults.load(dir), Slo.NONE);
        assertEquals(0, s.completed());
        assertEquals(0, s.ttftMs().count());
        // nothing completed: a throughput of 0 (a sweep's mean over seeds left NaN points out, inflating it), and no
        // duration (it said 0.00 s)
        assertEquals(0.0, s.requestThroughput());
        assertTrue(Double.isNaN(s.durationS()));
        assertTrue(s.format().contains("Benchmark duration (s):                  n/a"), s.format());
        assertTrue(s.format().contains("Mean TTFT (ms):                          n/a"));
        var withSlo = Summary.compute(RunResults.load(dir), Slo.parse("ttft=100"));
        assertEquals(0.0, withSlo.goodput().orElseThrow());
    }

    @Test
    void aRunFolderReadBatchByBatchGivesTheLoadedRunsFigures() throws IOException {
        // given: 300 requests in batches of 7 rows, gaps of 1-9 ms
        var dir = tmp.resolve("batched");
        var rng = new java.util.SplittableRandom(3);
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(7))) {
            for (int id = 0; id < 300; id++) {
                double t = id * 3 + rng.nextInt(20);
                var tokens = new double[1 + rng.nextInt(12)];
                for (int k = 0; k < tokens.length; k++) tokens[k] = t += 1 + rng.nextInt(9);
                recorder.request(id % 50 == 7 ? failed(id, id * 3, "fault") : ok(id, id * 3, tokens));
            }
        }
        var loaded = Summary.compute(RunResults.load(dir), Slo.parse("ttft=12"));
        // when: read from the folder, and read with pools that keep 5 values and narrow every bucket
        var streamed = Summary.compute(dir, Slo.parse("ttft=12"));
        var scan = TableScan.of(dir, servelab.runtime.record.ResultTable.REQUESTS, SummaryCalculator.COLUMNS).orElseThrow();
        var passes = SummaryCalculator.compute(scan.batches(), Slo.parse("ttft=12"), () -> new ManyValues(5, 0));
        // then: the same figures; percentiles exactly, mean and deviation up to summation order
        assertEquals(loaded, streamed);
        assertEquals(loaded.completed(), passes.completed());
        assertEquals(loaded.goodput(), passes.goodput());
        for (var pair : java.util.List.of(java.util.List.of(loaded.itlMs(), passes.itlMs()),
                java.util.List.of(loaded.ttftMs(), passes.ttftMs()), java.util.List.of(loaded.e2elMs(), passes.e2elMs()))) {
            assertEquals(pair.get(0).p99(), pair.get(1).p99(), 0.0);
            assertEquals(pair.get(0).median(), pair.get(1).median(), 0.0);
            assertEquals(pair.get(0).mean(), pair.get(1).mean(), 1e-9);
            assertEquals(pair.get(0).std(), pair.get(1).std(), 1e-9);
        }
    }

    /** Rounds away float noise of the hand-computed values. */
    private static Stats rounded(Stats s) {
        return new Stats(s.count(), r(s.mean()), r(s.median()), r(s.std()), r(s.p90()), r(s.p99()));
    }

    private static double r(double x) {
        return Math.round(x * 1e9) / 1e9;
    }
}

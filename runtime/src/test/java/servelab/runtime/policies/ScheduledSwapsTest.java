package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.plugins.batching.chunkedprefill.ChunkedPrefillBatcher;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Json;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/**
 * Switches an experiment schedules ({@code swaps:}): made when the run clock reaches them, recorded as a ctl switch
 * is, and the same in every run of the experiment (a ctl switch lands wherever the wall clock puts it).
 */
class ScheduledSwapsTest {
    @TempDir static Path work;
    static Path plugins;

    private static final List<String> BASE = List.of("seed=5", "kv.blocks=600", "trace.synthetic.count=300",
            "trace.synthetic.arrivals.rate=30",
            "swaps=[{at_ms: 5000, kind: scheduler, name: sjf, params: {key: prompt}},"
                    + " {at_ms: 5000, kind: batcher, name: chunked-prefill, params: {max_num_batched_tokens: 512}}]");

    @BeforeAll
    static void bundles() throws Exception {
        plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        TestBundles.drop(plugins, "chunked.jar", TestBundles.bundleOf(ChunkedPrefillBatcher.class));
    }

    private static Path run(List<String> overrides, String name) throws Exception {
        var dir = work.resolve(name);
        ExperimentRunner.run(ExperimentFile.load(null, overrides), dir,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        return dir;
    }

    @Test
    void aScheduledSwitchTakesEffectAtItsTimeIsRecordedAndRepeatsByteForByte() throws Exception {
        var first = run(BASE, "a");
        var results = RunResults.load(first);
        var it = results.table(ResultTable.ITERATIONS).orElseThrow();
        long[] start = it.longs("start_ns");
        long[] prefill = it.longs("prefill_tokens"), decode = it.longs("decode_tokens");
        int before = 0, after = 0;
        for (int i = 0; i < it.rowCount(); i++) {
            boolean late = start[i] >= 5_000_000_000L; // a step that started before the switch ran the old plugins
            assertEquals(late ? "sjf@1.0.0" : "fcfs@1.0.0", it.strings("scheduler").get(i), "iteration " + i);
            assertEquals(late ? "chunked-prefill@1.0.0" : "continuous@1.0.0", it.strings("batcher").get(i));
            if (late) {
                after++;
                assertTrue(prefill[i] + decode[i] <= 512, "iteration " + i);
            } else {
                before++;
            }
        }
        assertTrue(before > 0 && after > 0, before + " before, " + after + " after");
        assertEquals(300, results.requests().rowCount());
        assertTrue(results.requests().strings("error").stream().allMatch(String::isEmpty));
        // recorded as a ctl switch is: swap rows, and plugin_history with the parameters given
        var events = results.table(ResultTable.EVENTS).orElseThrow();
        var swaps = new ArrayList<String>();
        for (int i = 0; i < events.rowCount(); i++) {
            if (events.strings("type").get(i).equals("swap")) {
                swaps.add(events.strings("kind").get(i) + " " + events.strings("to_value").get(i));
            }
        }
        assertEquals(List.of("scheduler sjf@1.0.0", "batcher chunked-prefill@1.0.0"), swaps);
        var info = Json.MAPPER.readTree(first.resolve("run.json").toFile());
        assertEquals("[{\"at_ms\":5000.0,\"kind\":\"scheduler\",\"name\":\"sjf\",\"params\":{\"key\":\"prompt\"}},"
                + "{\"at_ms\":5000.0,\"kind\":\"batcher\",\"name\":\"chunked-prefill\",\"params\":"
                + "{\"max_num_batched_tokens\":512}}]", info.get("swaps").toString());
        var history = info.get("plugin_history").toString();
        assertTrue(history.contains("\"key\":\"prompt\"") && history.contains("\"max_num_batched_tokens\":512"), history);
        // and the same experiment again gives the same bytes
        var second = run(BASE, "b");
        for (var file : List.of("requests.arrow", "iterations.arrow", "events.arrow", "cluster.arrow")) {
            assertArrayEquals(Files.readAllBytes(first.resolve(file)), Files.readAllBytes(second.resolve(file)), file);
        }
    }

    @Test
    void aReportNamesEachSwitchOnceWithSeveralReplicas() throws Exception {
        // two switches of one slot at once on two replicas: the history lists each replica's in turn, and the report
        // read sjf(prompt), sjf(oracle), sjf(prompt), sjf(oracle)
        var dir = run(List.of("seed=5", "replicas=2", "trace.synthetic.count=100", "trace.synthetic.arrivals.rate=30",
                "swaps=[{at_ms: 1000, kind: scheduler, name: sjf, params: {key: prompt}},"
                        + " {at_ms: 1000, kind: scheduler, name: sjf, params: {key: oracle}}]"), "two");
        var chain = servelab.runtime.report.RunInfo.swaps(RunResults.load(dir)).get("scheduler");
        assertEquals(2, chain.size(), chain.toString());
        assertTrue(chain.get(0).contains("key=prompt") && chain.get(1).contains("key=oracle"), chain.toString());
        // replica 0 down for good before the second switch: the report took replica 0's chain and left it out
        var down = run(List.of("seed=5", "replicas=3", "trace.synthetic.count=300", "trace.synthetic.arrivals.rate=30",
                "faults=[{kind: crash, at_ms: 6000, replica: 0, restart: false}]",
                "swaps=[{at_ms: 3000, kind: scheduler, name: sjf, params: {key: prompt}},"
                        + " {at_ms: 8000, kind: scheduler, name: sjf, params: {key: oracle}}]"), "down");
        var both = servelab.runtime.report.RunInfo.swaps(RunResults.load(down)).get("scheduler");
        assertEquals(2, both.size(), both.toString());
    }

    @Test
    void aSwitchThatCannotBeMadeIsRefusedBeforeTheRun() throws Exception {
        var unknown = assertThrows(IllegalArgumentException.class, () -> run(List.of(
                "swaps=[{at_ms: 10, kind: scheduler, name: nosuch}]"), "unknown"));
        assertTrue(unknown.getMessage().startsWith("swaps[0] (at 10.0 ms): "), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("nosuch"), unknown.getMessage());
        var param = assertThrows(IllegalArgumentException.class, () -> run(List.of(
                "swaps=[{at_ms: 10, kind: scheduler, name: sjf, params: {keyy: prompt}}]"), "param"));
        assertTrue(param.getMessage().startsWith("swaps[0] (at 10.0 ms): "), param.getMessage());
        assertTrue(param.getMessage().contains("swaps[0].params.keyy"), param.getMessage());
        assertTrue(Files.notExists(work.resolve("param/requests.arrow")), "nothing ran");
        var scaler = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "swaps=[{at_ms: 10, kind: autoscaler, name: target-utilization}]")));
        assertTrue(scaler.getMessage().contains("no autoscaling: block"), scaler.getMessage());
        var negative = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "swaps=[{at_ms: 5, kind: scheduler, name: sjf}, {at_ms: -1, kind: scheduler, name: sjf}]")));
        assertTrue(negative.getMessage().endsWith("swaps[1].at_ms must be in [0, 1e12] ms, was -1.0"),
                negative.getMessage());
        var never = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "swaps=[{at_ms: 1e300, kind: scheduler, name: sjf}]"))); // it was taken, and never came
        assertTrue(never.getMessage().endsWith("swaps[0].at_ms must be in [0, 1e12] ms, was 1.0E300"), never.getMessage());
        var kind = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "swaps=[{at_ms: 5, kind: schedulr, name: sjf}]")));
        assertTrue(kind.getMessage().contains("swaps[0].kind: "), kind.getMessage());
        // entries are named as written, not in time order (the second, earlier in time, was called swaps[0])
        var order = assertThrows(IllegalArgumentException.class, () -> run(List.of(
                "swaps=[{at_ms: 500, kind: scheduler, name: sjf}, {at_ms: 100, kind: batcher, name: nosuch}]"), "order"));
        assertTrue(order.getMessage().startsWith("swaps[1] (at 100.0 ms): "), order.getMessage());
        var key = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "swaps=[{at_ms: 1, kind: scheduler, name: sjf, param: {key: prompt}}]")));
        assertTrue(key.getMessage().endsWith("unknown key 'swaps[0].param'; accepted there: at_ms, kind, name, params"),
                key.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "swaps=[{at_ms: 1, kind: scheduler, name: sjf}, null]")));
        assertTrue(empty.getMessage().endsWith("swaps[1] is empty: give {at_ms, kind, name}"), empty.getMessage());
        var missing = assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(null, List.of(
                "swaps=[{kind: scheduler, name: sjf}]")));
        assertTrue(missing.getMessage().endsWith("swaps[0].at_ms is missing: when to switch, in ms of the run clock"),
                missing.getMessage());
    }
}

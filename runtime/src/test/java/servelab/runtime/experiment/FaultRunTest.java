package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.exec.SimulatedSetup;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/** Faults from an experiment file, end to end: events.arrow records them, crash restarts take the profile's load. */
class FaultRunTest {
    private static final List<String> BASE = List.of("seed=5", "replicas=3", "trace.synthetic.count=300",
            "trace.synthetic.arrivals.rate=20");

    @TempDir Path work;

    private RunResults run(List<String> overrides, String folder) throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var result = ExperimentRunner.run(ExperimentFile.load(null, overrides), work.resolve(folder),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        return RunResults.load(result.runDir());
    }

    @Test
    void theColdStartIsTheProfilesWeightBytesOverItsHostLinkAtItsEfficiency() {
        try (var setup = SimulatedSetup.open(new SimulatedSetup.Settings("llama-3-8b/h100-80gb",
                new servelab.runtime.exec.AcceptanceModel(List.of(0.7), 1), 0))) {
            // 8,030,261,248 bf16 parameters over 64 GB/s x 0.8
            assertEquals(8_030_261_248L * 2 / 51.2e9, setup.modelLoadNanos() / 1e9, 1e-6);
        }
    }

    @Test
    void aCrashIsRecordedWithItsRestartAfterTheColdStartAndItsRequestsFail() throws Exception {
        var overrides = new ArrayList<>(BASE);
        overrides.addAll(List.of("faults=[{kind: crash, at_ms: 4000, replica: 1, warmup_ms: 2000}, "
                + "{kind: straggle, from_ms: 1000, to_ms: 3000, replica: r0, factor: 3}]"));
        var results = run(overrides, "crash");
        var events = results.table(ResultTable.EVENTS).orElseThrow();
        var types = events.strings("type");
        var kinds = events.strings("kind");
        var details = events.strings("detail");
        long[] times = events.longs("time_ns");
        assertEquals(2, types.stream().filter("fault-start"::equals).count(), types.toString());
        assertEquals(2, types.stream().filter("fault-end"::equals).count(), types.toString());
        long crashAt = -1, servingAt = -1;
        for (int i = 0; i < types.size(); i++) {
            if (types.get(i).equals("fault-start") && kinds.get(i).equals("crash")) crashAt = times[i];
            if (types.get(i).equals("fault-end") && kinds.get(i).equals("crash")) servingAt = times[i];
        }
        long cold = Math.round(8_030_261_248L * 2 / 51.2e9 * 1e9) + 2_000_000_000L;
        assertEquals(crashAt + cold, servingAt, 1_000, "restart after load + warm-up");
        var errors = results.requests().strings("error");
        long crashed = errors.stream().filter(e -> e.startsWith("attempt 0 crashed on replica 1")).count();
        assertTrue(crashed > 0, "requests on replica 1 were lost");
        assertTrue(String.join("\n", details).contains(crashed + " requests lost"), String.join("\n", details));
    }

    @Test
    void aRunWithoutFaultsRecordsNoFaultOrReplicaEvents() throws Exception {
        var events = run(BASE, "plain").table(ResultTable.EVENTS).orElseThrow();
        for (var type : events.strings("type")) {
            assertTrue(!type.startsWith("fault-") && !type.equals("replica") && !type.equals("scale"), type);
        }
    }
}

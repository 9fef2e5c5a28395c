package servelab.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.exec.cost.MeasuredCostModel;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/** The engine half of a calibration: steps recorded as the engine charged them, and the profile that carries them. */
class EngineStepsTest {
    /** Two batchers the test bundles have. */
    static final List<String> BATCHERS = List.of("continuous", "decode-first-mixed");

    @TempDir Path work;

    @Test
    void recordsEveryEngineStepWithTheDurationItsRunCharged() throws Exception {
        // given: the tiny generated model and its quick grid calibration on one thread
        var model = work.resolve("tiny.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 7);
        var c = Calibrator.run(new Calibrator.Settings(model, Backend.CPU_VECTOR, 1, true, 1, 16, 3), (d, t) -> {});
        // when: the engine serves the calibration workload for about a second
        var runs = work.resolve("engine");
        var rows = EngineSteps.measure(new EngineSteps.Settings(model, 1, "cpu-vector", c.shape().contextLength(),
                c.fullFit(), 1, 5, TestBundles.defaultPlugins(work.resolve("plugins")), BATCHERS, runs));
        // then: one row per step of the two measured runs, whose durations are the runs' own iteration durations
        long steps = 0, busyNanos = 0;
        for (var batcher : BATCHERS) {
            var iterations = RunResults.load(runs.resolve(batcher)).table(ResultTable.ITERATIONS).orElseThrow();
            long[] start = iterations.longs("start_ns"), end = iterations.longs("end_ns");
            steps += start.length;
            for (int i = 0; i < start.length; i++) busyNanos += end[i] - start[i];
        }
        assertEquals(steps, rows.size());
        assertEquals(busyNanos / 1e6, rows.stream().mapToDouble(r -> r.stepMs()).sum(), 1e-6 * steps);
        assertTrue(rows.stream().anyMatch(r -> r.prefillTokens() > 0) && rows.stream().anyMatch(r -> r.decodeTokens() > 0));
        // and the profile written with them carries the fitted overhead and lists the steps beside it
        var engine = EngineFit.of(rows, c.fullFit());
        var written = ProfileWriter.write(c, engine, work.resolve("profiles/tiny.yaml"));
        var loaded = assertInstanceOf(MeasuredCostModel.class, CostModels.load(written.yaml().toString()));
        assertEquals(engine.overhead().stepNanos(), loaded.overhead().stepNanos(), 1);
        assertEquals(engine.overhead().perSeqNanos(), loaded.overhead().perSeqNanos(), 1);
        assertEquals(engine.overhead().fraction(), loaded.overhead().fraction(), 1e-4);
        assertEquals(rows.size() + 1, Files.readAllLines(written.engineCsv()).stream().filter(l -> !l.startsWith("#")).count());
        assertTrue(Files.readString(written.yaml()).contains("Engine steps: " + rows.size() + " steps"));
    }
}

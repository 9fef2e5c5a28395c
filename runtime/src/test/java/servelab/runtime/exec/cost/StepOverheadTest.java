package servelab.runtime.exec.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;

/** The engine overhead a measured profile may add to its table: the fit, and the profile fields. */
class StepOverheadTest {
    /** Made-up table: 0.1 ms + 20 us/prefill token + 30 us/decode token + 100 ns/context token. */
    private static final TableFit.Plane TABLE = new TableFit.Plane(1e5, 2e4, 3e4, 0, 0, 100);

    @TempDir Path dir;

    @Test
    void theFitRecoversAKnownOverheadFromEngineSteps() {
        // given: the table fitted to its own grid, and engine steps that each take the table's time
        // + 25 us + 2 us per sequence + 8% of the table's time, with +-1 us of noise from a fixed seed
        var table = TableFit.fit(MeasuredCostModelTest.rows(this::tableMs));
        var random = new Random(11);
        var engine = new ArrayList<MeasuredStep>();
        for (int i = 0; i < 400; i++) {
            int decodes = 1 + random.nextInt(32);
            int prefill = random.nextInt(4) == 0 ? 16 + random.nextInt(200) : 0;
            var shape = new MeasuredStep(prefill, decodes, decodes + (prefill > 0 ? 1 : 0),
                    (long) prefill * (prefill + 1) / 2, decodes * (64L + random.nextInt(256)), 1);
            double t = tableMs(shape) * 1e6;
            double measured = t + 25e3 + 2e3 * shape.batchSeqs() + 0.08 * t + 1e3 * (random.nextDouble() - 0.5) * 2;
            engine.add(withMs(shape, measured / 1e6));
        }
        // when
        var overhead = StepOverhead.fit(engine, table);
        // then: each term within the noise's reach
        assertEquals(25e3, overhead.stepNanos(), 1e3, overhead.summary());
        assertEquals(2e3, overhead.perSeqNanos(), 100, overhead.summary());
        assertEquals(0.08, overhead.fraction(), 0.002, overhead.summary());
    }

    @Test
    void aFewVerySlowStepsDoNotMoveTheFit() {
        // given: engine steps 25 us over the table, except every 20th, which a collection or another process held up
        // for 5 ms
        var table = TableFit.fit(MeasuredCostModelTest.rows(this::tableMs));
        var random = new Random(5);
        var engine = new ArrayList<MeasuredStep>();
        for (int i = 0; i < 400; i++) {
            int decodes = 1 + random.nextInt(32);
            var shape = new MeasuredStep(0, decodes, decodes, 0, decodes * 200L, 1);
            double measured = tableMs(shape) * 1e6 + 25e3 + (i % 20 == 0 ? 5e6 : 0);
            engine.add(withMs(shape, measured / 1e6));
        }
        // then: the typical step's 25 us, not the mean's 275 us
        var overhead = StepOverhead.fit(engine, table);
        assertEquals(25e3, overhead.nanos(8, tableMs(new MeasuredStep(0, 8, 8, 0, 1600, 1)) * 1e6), 500,
                overhead.summary());
    }

    @Test
    void engineStepsTheTableAlreadyMatchesGetNoOverhead() {
        // given: engine steps exactly as long as the table says
        var table = TableFit.fit(MeasuredCostModelTest.rows(this::tableMs));
        var engine = MeasuredCostModelTest.rows(this::tableMs);
        // then: nothing to add (up to the fit's rounding)
        var overhead = StepOverhead.fit(engine, table);
        assertEquals(0, overhead.nanos(8, 1e6), 1, overhead.summary());
    }

    @Test
    void aProfileWithoutTheFieldsPricesEveryStepAsTheTableAlone() throws Exception {
        // given: a measured profile as written before the overhead existed
        var model = MeasuredCostModelTest.load(dir, MeasuredCostModelTest.rows(this::tableMs), "0.05");
        // then: no overhead, and every step's time is the table's, rounded, exactly
        assertTrue(model.overhead().isNone());
        for (var s : MeasuredCostModelTest.rows(s -> 1)) {
            assertEquals(Math.round(model.fit().predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                    s.prefillAttentionPairs(), s.decodeContextTokens())), stepNanos(model, s), s.toString());
        }
        assertTrue(!model.describe().contains("overhead"), model.describe());
    }

    @Test
    void aProfileWithTheFieldsMakesEveryStepLongerByExactlyTheOverhead() throws Exception {
        // given: the same table, with 40 us per step, 5 us per sequence and 10% of the table's time
        var plain = MeasuredCostModelTest.load(dir, MeasuredCostModelTest.rows(this::tableMs), "0.05");
        var yaml = dir.resolve("calibrated.yaml");
        Files.writeString(yaml, Files.readString(yaml) + "  overhead_per_step_us: 40\n  overhead_per_seq_us: 5\n"
                + "  overhead_fraction: 0.1\n");
        var withOverhead = assertInstanceOf(MeasuredCostModel.class, CostModels.load(yaml.toString()));
        // then: a decode batch of 8 costs table + 40 + 8 x 5 us + 10% of the table
        var s = new MeasuredStep(0, 8, 8, 0, 8 * 300, 1);
        double table = plain.fit().predictNanos(0, 8, 8, 0, 8 * 300);
        assertEquals(Math.round(table + 40e3 + 8 * 5e3 + 0.1 * table), stepNanos(withOverhead, s));
        assertTrue(withOverhead.describe().endsWith("engine overhead 40.00 us/step + 5.000 us/seq + 10.00% of the table's time"),
                withOverhead.describe());
        // and a step with no tokens still costs nothing (no forward pass is launched)
        assertEquals(0, withOverhead.stepNanos(0, 0, 0, 0, 0));
    }

    @Test
    void aNegativeOverheadIsRefusedNamingTheField() throws Exception {
        MeasuredCostModelTest.load(dir, MeasuredCostModelTest.rows(this::tableMs), "0.05");
        var yaml = dir.resolve("calibrated.yaml");
        Files.writeString(yaml, Files.readString(yaml) + "  overhead_per_seq_us: -1\n");
        var e = assertThrows(CostProfileException.class, () -> CostModels.load(yaml.toString()));
        assertTrue(e.getMessage().contains("measured.overhead_per_seq_us") && e.getMessage().contains("calibrated.yaml"),
                e.getMessage());
    }

    @Test
    void aSimulatedRunWithTheOverheadHasLongerSteps() throws Exception {
        // given: the same measured table with and without 40 us per step, and one small trace
        var plain = MeasuredCostModelTest.load(dir, MeasuredCostModelTest.rows(this::tableMs), "0.05");
        var yaml = dir.resolve("calibrated.yaml");
        var withOverhead = dir.resolve("with-overhead.yaml");
        Files.writeString(withOverhead, Files.readString(yaml) + "  overhead_per_step_us: 40\n");
        var plugins = TestBundles.defaultPlugins(dir.resolve("plugins"));
        var trace = List.of("seed=3", "kv.blocks=400", "trace.synthetic.count=20", "trace.synthetic.input.max=100",
                "trace.synthetic.output.max=20", "executor=simulated");
        // when: the trace simulated with each
        var without = simulate(trace, yaml, "without", plugins);
        var with = simulate(trace, withOverhead, "with", plugins);
        // then: the first step (the first request alone, the same in both runs) is longer by exactly 40 us
        long first = firstStepNanos(without.runDir());
        assertEquals(first + 40_000, firstStepNanos(with.runDir()));
        // and every latency the run reports grows: its median inter-token gap by about the 40 us a decode step gained
        assertTrue(with.summary().itlMs().median() >= without.summary().itlMs().median() + 0.039,
                with.summary().itlMs().median() + " vs " + without.summary().itlMs().median());
        assertTrue(with.summary().e2elMs().mean() > without.summary().e2elMs().mean());
        assertTrue(plain.overhead().isNone());
    }

    private static ExperimentRunner.Result simulate(List<String> trace, Path profile, String folder, Path plugins)
            throws Exception {
        var overrides = new ArrayList<>(trace);
        overrides.add("profile=" + profile);
        return ExperimentRunner.run(ExperimentFile.load(null, overrides), profile.resolveSibling(folder),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
    }

    private static long firstStepNanos(Path runDir) throws Exception {
        var iterations = RunResults.load(runDir).table(ResultTable.ITERATIONS).orElseThrow();
        return iterations.longs("end_ns")[0] - iterations.longs("start_ns")[0];
    }

    private double tableMs(MeasuredStep s) {
        return TABLE.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(), s.prefillAttentionPairs(),
                s.decodeContextTokens()) / 1e6;
    }

    private static long stepNanos(CostModel model, MeasuredStep s) {
        return model.stepNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(), s.prefillAttentionPairs(),
                s.decodeContextTokens());
    }

    private static MeasuredStep withMs(MeasuredStep s, double ms) {
        return new MeasuredStep(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(), s.prefillAttentionPairs(),
                s.decodeContextTokens(), ms);
    }
}

package servelab.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.exec.Backend;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Slo;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Summary;

/** {@code validate} against the real executor: a calibrated profile, and one that prices decodes at half. */
class ValidationTest {
    @TempDir Path work;

    static final List<String> TRACE = List.of("trace.synthetic.count=24", "trace.synthetic.input.max=120",
            "trace.synthetic.output.max=40", "model.threads=1", "model.warmup_s=1", "seed=5");

    @Test
    void aProfileWithHalvedDecodeCostShowsALargeTpotError() throws Exception {
        // given: a tiny model, its quick calibration, and the same table with every decode-only step at half its time
        var model = work.resolve("tiny.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 9);
        var c = Calibrator.run(new Calibrator.Settings(model, Backend.CPU_VECTOR, 1, true, 3, 16, 1), (d, t) -> {});
        var calibrated = ProfileWriter.write(c, work.resolve("tiny.yaml")).yaml();
        var halved = halvedDecode(calibrated, work.resolve("tiny-halved.yaml"));
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        // when: two real runs, simulated with each profile
        var good = Validation.run(new Validation.Settings(null, TRACE, model, calibrated.toString(), work.resolve("good"),
                plugins, List.of(), 2), ExperimentRunner.Progress.NONE);
        var wrong = Validation.run(new Validation.Settings(null, TRACE, model, halved.toString(), work.resolve("wrong"),
                plugins, good.realDirs(), 1), ExperimentRunner.Progress.NONE);
        var report = ValidationReport.write(wrong, halved.toString(), work.resolve("wrong"));
        // then: against the same real run, the halved profile's simulated median TPOT is well under the calibrated
        // one's (relative magnitudes: a noisy machine moves the real run, which both share); and where the machine
        // let the calibration match (|error| <= 25%), the halved profile's error is large in absolute terms too
        double goodError = good.error("TPOT", "p50").relative();
        double wrongError = wrong.error("TPOT", "p50").relative();
        var errors = "TPOT p50 error: halved " + wrongError + ", calibrated " + goodError;
        assertTrue(1 + wrongError <= 0.75 * (1 + goodError), errors);
        assertTrue(Math.abs(goodError) > 0.25 || wrongError <= -0.25, errors);
        // and the report has the table, a CDF per metric plus the per-request error, and the figures as JSON
        assertEquals(24, good.e2elErrors().length);
        assertEquals(5, report.charts().size());
        assertTrue(Files.readString(report.markdown()).contains("| TPOT | p50 |"), Files.readString(report.markdown()));
        // the per-request |error| statistics and the shares within 5% and 10% are magnitudes: no sign
        var e2elRow = Files.readString(report.markdown()).lines().filter(l -> l.startsWith("| 24 |")).findFirst().orElseThrow();
        assertFalse(e2elRow.contains("+"), e2elRow);
        assertTrue(e2elRow.matches("\\| 24 \\|( [0-9.]+% \\|){6}"), e2elRow);
        assertTrue(Files.readString(report.json()).contains("\"relative_error\""));
        // and each real statistic is the median of the two real runs (the mean of the pair), with their extremes
        assertEquals(List.of(work.resolve("good/real-1"), work.resolve("good/real-2")), good.realDirs());
        var runs = new ArrayList<Summary>();
        for (var dir : good.realDirs()) runs.add(Summary.compute(RunResults.load(dir), Slo.NONE));
        double first = runs.get(0).tpotMs().mean();
        double second = runs.get(1).tpotMs().mean();
        var tpot = good.error("TPOT", "mean");
        assertEquals((first + second) / 2, tpot.real(), 1e-9 * tpot.real());
        assertEquals(Math.min(first, second), tpot.realMin());
        assertEquals(Math.max(first, second), tpot.realMax());
        assertEquals(Math.abs(first - second) / tpot.real(), tpot.realSpread(), 1e-9);
        assertTrue(Files.readString(report.markdown()).contains("real spread"), Files.readString(report.markdown()));
        assertTrue(Files.readString(report.json()).contains("\"real_spread\""));
        // and the steps by kind point at the wrong term: the halved profile's one-token decode steps are about half
        // the calibrated one's, against the same real steps
        var reals = new ArrayList<RunResults>();
        for (var dir : good.realDirs()) reals.add(RunResults.load(dir));
        var goodKinds = StepKinds.of(reals, RunResults.load(good.simulatedDir()));
        var wrongKinds = StepKinds.of(reals, RunResults.load(wrong.simulatedDir()));
        var goodDecode = kind(goodKinds, "decode, 1 token");
        var wrongDecode = kind(wrongKinds, "decode, 1 token");
        assertEquals(goodDecode.realMeanMs(), wrongDecode.realMeanMs(), 1e-12);
        assertTrue(wrongDecode.simMeanMs() < 0.7 * goodDecode.simMeanMs(), goodKinds + " against " + wrongKinds);
        var all = kind(goodKinds, "all steps");
        assertEquals(1.0, goodKinds.kinds().stream().filter(k -> k != all).mapToDouble(StepKinds.Kind::realBusyShare).sum(), 1e-9);
        // each share is of the run whose busy time the row shows (with two runs it was pooled over both)
        for (var k : goodKinds.kinds()) {
            assertEquals(k.realBusyMs() / all.realBusyMs(), k.realBusyShare(), 1e-9, k.kind());
        }
        assertTrue(Files.readString(report.markdown()).contains("| decode, 1 token |"), Files.readString(report.markdown()));
        assertTrue(Files.readString(report.json()).contains("\"step_kinds\""));
        // and a run that is no model run of this experiment is refused as the real side: a simulated one reported
        // 0.0% error everywhere, and one of another seed compared other requests by id
        var simulatedAsReal = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Validation.run(new Validation.Settings(null, TRACE, model, calibrated.toString(), work.resolve("v3"),
                        plugins, List.of(good.simulatedDir()), 1), ExperimentRunner.Progress.NONE));
        assertTrue(simulatedAsReal.getMessage().contains("is not a model run of this experiment: it ran on simulated"),
                simulatedAsReal.getMessage());
        var otherSeed = new ArrayList<>(TRACE);
        otherSeed.add("seed=12345");
        var seeded = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Validation.run(new Validation.Settings(null, otherSeed, model, calibrated.toString(), work.resolve("v4"),
                        plugins, good.realDirs(), 1), ExperimentRunner.Progress.NONE));
        assertTrue(seeded.getMessage().contains("seed") && seeded.getMessage().contains("where the experiment has 12345"),
                seeded.getMessage());
        // and a real run that did not end (here: its run.json says it was recovered after a kill) is refused: its
        // first requests were set against all of the simulated ones
        var recovered = work.resolve("recovered-real");
        copyTree(good.realDirs().getFirst(), recovered);
        var info = servelab.runtime.record.Json.MAPPER.readValue(recovered.resolve("run.json").toFile(),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.LinkedHashMap<String, Object>>() { });
        info.put("recovered", java.util.Map.of("note", "killed"));
        servelab.runtime.record.Json.write(recovered.resolve("run.json"), info);
        var partial = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Validation.run(new Validation.Settings(null, TRACE, model, calibrated.toString(), work.resolve("v5"),
                        plugins, List.of(recovered), 1), ExperimentRunner.Progress.NONE));
        assertTrue(partial.getMessage().contains("is not a whole run: it was put together after a kill"),
                partial.getMessage());
    }

    @Test
    void aProfileOfAnotherModelIsRefusedBeforeAnyRun() throws Exception {
        // given: the tiny generated model (2 layers of width 64, Q8_0) and the bundled tiny/cpu profile (30 of 576, f32)
        var model = work.resolve("tiny.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 9);
        // when: validated
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Validation.run(new Validation.Settings(null, TRACE, model, "tiny/cpu", work.resolve("v"),
                        TestBundles.defaultPlugins(work.resolve("plugins")), List.of(), 1), ExperimentRunner.Progress.NONE));
        // then: refused, naming each key that differs, and nothing ran
        assertTrue(e.getMessage().startsWith("the profile tiny/cpu describes another model than " + model + ": model.layers 30"
                + " where the model has 2, model.hidden_size 576 where the model has 64"), e.getMessage());
        assertTrue(e.getMessage().contains("model.weight_dtype f32 where the model has q8_0"), e.getMessage());
        assertFalse(Files.exists(work.resolve("v")));
    }

    private static void copyTree(java.nio.file.Path from, java.nio.file.Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (var f : files.toList()) {
                var target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }

    private static StepKinds.Kind kind(StepKinds kinds, String name) {
        return kinds.kinds().stream().filter(k -> k.kind().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no kind " + name + " in " + kinds));
    }

    @Test
    void stepsAreGroupedByWhatTheyComputed() {
        assertEquals("prefill only", StepKinds.KINDS.get(StepKinds.kindOf(64, 0)));
        assertEquals("prefill + decode", StepKinds.KINDS.get(StepKinds.kindOf(64, 3)));
        assertEquals("decode, 1 token", StepKinds.KINDS.get(StepKinds.kindOf(0, 1)));
        assertEquals("decode, 2-4 tokens", StepKinds.KINDS.get(StepKinds.kindOf(0, 2)));
        assertEquals("decode, 2-4 tokens", StepKinds.KINDS.get(StepKinds.kindOf(0, 4)));
        assertEquals("decode, 5-8 tokens", StepKinds.KINDS.get(StepKinds.kindOf(0, 5)));
        assertEquals("decode, 9-16 tokens", StepKinds.KINDS.get(StepKinds.kindOf(0, 16)));
        assertEquals("decode, 17-32 tokens", StepKinds.KINDS.get(StepKinds.kindOf(0, 17)));
        assertEquals("decode, over 32 tokens", StepKinds.KINDS.get(StepKinds.kindOf(0, 33)));
    }

    /** A copy of the profile whose table has every decode-only step at half its measured time. */
    static Path halvedDecode(Path profile, Path out) throws Exception {
        var csvName = out.getFileName().toString().replace(".yaml", "-steps.csv");
        var lines = new ArrayList<String>();
        for (var line : Files.readAllLines(profile.resolveSibling(profile.getFileName().toString().replace(".yaml", "-steps.csv")))) {
            var cells = line.split(",");
            if (!line.startsWith("#") && !line.startsWith("prefill") && cells[0].equals("0")) {
                cells[5] = Double.toString(Double.parseDouble(cells[5]) / 2);
                line = String.join(",", cells);
            }
            lines.add(line);
        }
        Files.write(out.resolveSibling(csvName), lines);
        var yaml = Files.readString(profile).replaceAll("csv: .*", "csv: " + csvName)
                .replaceAll("max_relative_error: .*", "max_relative_error: 10");
        Files.writeString(out, yaml);
        return out;
    }
}

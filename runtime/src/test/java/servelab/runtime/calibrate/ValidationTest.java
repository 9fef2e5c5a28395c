package servelab.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        // when: one real run, simulated with each profile
        var good = Validation.run(new Validation.Settings(null, TRACE, model, calibrated.toString(), work.resolve("good"),
                plugins, null), ExperimentRunner.Progress.NONE);
        var wrong = Validation.run(new Validation.Settings(null, TRACE, model, halved.toString(), work.resolve("wrong"),
                plugins, good.realDir()), ExperimentRunner.Progress.NONE);
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
        assertTrue(Files.readString(report.json()).contains("\"relative_error\""));
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

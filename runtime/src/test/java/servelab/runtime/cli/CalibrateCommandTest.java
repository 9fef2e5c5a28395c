package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The calibrate and validate verbs: what they print and write, and how they refuse bad options. */
class CalibrateCommandTest {
    @TempDir Path work;

    record Outcome(int code, String out, String err) {}

    private Outcome execute(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void calibrateGeneratesAModelAndWritesAProfileWithTheHeldOutError() throws Exception {
        var model = work.resolve("models/tiny.gguf");
        // the grid alone, by default: the engine phase is asked for with --engine-seconds (EngineStepsTest runs it)
        var r = execute("calibrate", "--generate", "tiny", "--model", model.toString(), "--quick", "--seconds", "1",
                "--threads", "1", "--out", work.resolve("p/tiny-cpu.yaml").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isRegularFile(model));
        assertTrue(r.out().contains("held-out error ("), r.out());
        assertTrue(r.out().contains("measured tiny on cpu-"), r.out());
        assertTrue(Files.isRegularFile(work.resolve("p/tiny-cpu-steps.csv")));
        // so no overhead is written, and no engine steps beside it
        assertTrue(!Files.readString(work.resolve("p/tiny-cpu.yaml")).contains("overhead_per_step_us"));
        assertTrue(!Files.exists(work.resolve("p/tiny-cpu-engine-steps.csv")));
    }

    @Test
    void calibrateRefusesAnUnknownGeneratedShapeAndAMissingModel() {
        var r = execute("calibrate", "--generate", "huge", "--model", work.resolve("m.gguf").toString(), "--out", "x.yaml");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--generate must be tiny or small, was 'huge'"), r.err());
        r = execute("calibrate", "--out", "x.yaml");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model FILE.gguf is required (or --vidur DIR)"), r.err());
        r = execute("calibrate", "--vidur", work.toString(), "--out", "x.yaml");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--vidur needs --base PROFILE"), r.err());
    }

    @Test
    void validateNeedsAModelOrAnEarlierRealRun() {
        var r = execute("validate", "--profile", "tiny/cpu");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model FILE.gguf or --real RUN_DIR is required"), r.err());
    }

    @Test
    void validateRefusesFewerThanOneRepeat() {
        var r = execute("validate", "--profile", "tiny/cpu", "--model", "tiny.gguf", "--repeats", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--repeats must be at least 1, was 0"), r.err());
    }
}

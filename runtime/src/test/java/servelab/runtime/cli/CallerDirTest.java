package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.CallerDir;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.host.TestBundles;

/**
 * The launcher starts the JVM in the checkout and passes the user's folder as {@code -Dservelab.cwd}: paths typed on
 * the command line resolve against it, paths in an experiment file against the file's folder.
 */
class CallerDirTest {
    @TempDir Path work;
    private Path caller;

    @BeforeEach
    void typeCommandsInAnotherFolder() throws Exception {
        caller = Files.createDirectories(work.resolve("caller"));
        System.setProperty(CallerDir.PROPERTY, caller.toString());
    }

    @AfterEach
    void forgetTheFolder() {
        System.clearProperty(CallerDir.PROPERTY);
    }

    private record Outcome(int code, String out, String err) {}

    private static Outcome execute(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Outcome(cli.execute(args), out.toString(), err.toString());
    }

    private static String azureCsv() {
        return "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2023-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n";
    }

    @Test
    void aTraceFileTypedOnTheCommandLineIsFoundInTheCallersFolder() throws Exception {
        Files.writeString(caller.resolve("t.csv"), azureCsv());
        var r = execute("trace", "stats", "t.csv");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"rows\" : 2"), r.out());
    }

    @Test
    void pathsInAnExperimentFileResolveAgainstItsFolderAndSetValuesAgainstTheCaller() throws Exception {
        var experiments = Files.createDirectories(work.resolve("experiments"));
        var file = Files.writeString(experiments.resolve("e.yaml"),
                "trace: {file: traces/t.csv}\nmodel: {path: m.gguf}\noutput: out/e\nprofile: my-profile.yaml\n");
        var e = ExperimentFile.load(file, List.of());
        assertEquals(experiments.resolve("traces/t.csv").toString(), e.trace().file());
        assertEquals(experiments.resolve("m.gguf").toString(), e.model().path());
        assertEquals(experiments.resolve("out/e").toString(), e.output());
        assertEquals(experiments.resolve("my-profile.yaml").toString(), e.profile());
        var set = ExperimentFile.load(file, List.of("trace.file=mine.csv", "model.draft_path=d.gguf"));
        assertEquals(caller.resolve("mine.csv").toString(), set.trace().file());
        assertEquals(caller.resolve("d.gguf").toString(), set.model().draftPath());
    }

    @Test
    void aBundledProfileNameIsNotAPath() throws Exception {
        var file = Files.writeString(work.resolve("e.yaml"), "profile: llama-3-8b/a100-80gb\n");
        assertEquals("llama-3-8b/a100-80gb", ExperimentFile.load(file, List.of()).profile());
    }

    @Test
    void runWritesItsOutFolderInTheCallersFolder() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        Files.writeString(caller.resolve("e.yaml"), "trace: {synthetic: {count: 5}}\n");
        var r = execute("run", "e.yaml", "--quiet", "--plugins-dir", "../plugins", "--out", "myrun");
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.exists(caller.resolve("myrun/requests.arrow")), r.out());
        assertTrue(plugins.isAbsolute());
    }
}

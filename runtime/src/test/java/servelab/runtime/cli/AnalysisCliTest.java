package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.Callable;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.record.Json;
import servelab.runtime.report.SmallRuns;

/** {@code servelab report}, {@code bench} and {@code notebook}: what they print and how they refuse bad input. */
class AnalysisCliTest {
    @TempDir Path work;
    @TempDir static Path shared;
    static List<Path> runs;

    @BeforeAll
    static void twoSmallRuns() throws Exception {
        runs = SmallRuns.make(shared);
    }

    private record Outcome(int code, String out, String err) {}

    private Outcome execute(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Outcome(cli.execute(args), out.toString(), err.toString());
    }

    /** Runs {@code body} with {@code -Dservelab.home} set, as the launcher sets it. */
    private static <T> T withHome(Path home, Callable<T> body) throws Exception {
        String before = System.getProperty("servelab.home");
        System.setProperty("servelab.home", home.toString());
        try {
            return body.call();
        } finally {
            if (before == null) System.clearProperty("servelab.home");
            else System.setProperty("servelab.home", before);
        }
    }

    /** A checkout as the build leaves it (empty jars), with one notebook. */
    private Path builtCheckout() throws Exception {
        var home = work.resolve("checkout");
        Files.createDirectories(home.resolve("runtime/target/lib"));
        Files.createDirectories(home.resolve("runtime/target/jupyter"));
        Files.createDirectories(home.resolve("notebooks"));
        Files.createFile(home.resolve("runtime/target/servelab-runtime.jar"));
        Files.createFile(home.resolve("runtime/target/jupyter/rapaio-jupyter-kernel.jar"));
        Files.writeString(home.resolve("notebooks/a.ipynb"), "{}");
        return home;
    }

    @Test
    void reportWritesMarkdownHtmlAndChartsForTwoRuns() throws Exception {
        var r = execute("report", runs.get(0).toString(), runs.get(1).toString(), "--out", work.resolve("rep").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("report of 2 runs: " + work.resolve("rep/report.md")), r.out());
        assertTrue(r.out().contains("(8 charts)"), r.out());
        assertTrue(Files.exists(work.resolve("rep/report.html")));
    }

    @Test
    void reportWindowSummarisesTheRequestsThatArrivedInItAndRefusesABadOne() throws Exception {
        // the small runs: 300 requests at 30/s, so about 10 s of arrivals; the window leaves out the first 2 s and the rest after 8 s
        var r = execute("report", runs.get(0).toString(), "--window", "2,8", "--out", work.resolve("rep-window").toString());
        assertEquals(0, r.code(), r.err());
        var md = Files.readString(work.resolve("rep-window/report.md"));
        assertTrue(md.contains("the tables cover [2 s, 8 s) of each run's clock: latencies and outcomes of the "
                + "requests that arrived in it"), md);
        var whole = execute("report", runs.get(0).toString(), "--out", work.resolve("rep-whole").toString());
        assertEquals(0, whole.code(), whole.err());
        assertTrue(!Files.readString(work.resolve("rep-whole/report.md")).equals(md));
        var bad = execute("report", runs.get(0).toString(), "--window", "8", "--out", work.resolve("rep-bad").toString());
        assertEquals(2, bad.code(), bad.err());
        assertTrue(bad.err().contains("--window takes START,END in seconds, e.g. 60,600; was '8'"), bad.err());
    }

    @Test
    void reportSaysWhenRunsReplayedDifferentWorkloadsAndRefusesARunGivenTwice() throws Exception {
        // given: a run of the same workload but another seed (other requests, other arrivals)
        var other = work.resolve("seed8");
        var overrides = new java.util.ArrayList<>(servelab.runtime.report.SmallRuns.WORKLOAD);
        overrides.set(0, "seed=8");
        servelab.runtime.experiment.ExperimentRunner.run(servelab.runtime.experiment.ExperimentFile.load(null, overrides),
                other, new servelab.runtime.experiment.ExperimentRunner.Options(
                        servelab.runtime.host.TestBundles.defaultPlugins(work.resolve("plugins")), (t, k, f, to, d) -> {},
                        null, null));
        // when / then: said on the terminal and in the report (they sat side by side as if measured on one load)
        var r = execute("report", runs.get(0).toString(), other.toString(), "--out", work.resolve("rep-mixed").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("these runs did not replay one workload (run.json's trace or seed differ from "
                + runs.get(0).getFileName() + "'s: seed8)"), r.err());
        assertTrue(Files.readString(work.resolve("rep-mixed/report.md")).contains("did not replay one workload"));
        var same = execute("report", runs.get(0).toString(), runs.get(1).toString(), "--out", work.resolve("rep-same").toString());
        assertTrue(!same.err().contains("did not replay one workload"), same.err());
        // and: one folder twice was two identical rows of one name; a file is not "no such run folder"
        var twice = execute("report", runs.get(0).toString(), runs.get(0).toString(), "--out", work.resolve("r2").toString());
        assertEquals(1, twice.code());
        assertTrue(twice.err().contains(runs.get(0) + " is given twice"), twice.err());
        var file = execute("report", runs.get(0).resolve("summary.json").toString(), "--out", work.resolve("r3").toString());
        assertTrue(file.err().contains("a file, not a run folder (give the folder that holds it)"), file.err());
    }

    @Test
    void reportOnAFolderThatIsNotARunNamesIt() throws Exception {
        var notes = Files.createDirectories(work.resolve("notes"));
        Files.writeString(notes.resolve("todo.txt"), "x");
        var r = execute("report", notes.toString(), "--out", work.resolve("rep").toString());
        assertEquals(1, r.code());
        assertEquals("servelab report: " + notes + ": not a ServeLab run folder: it has no requests.arrow (nor "
                + "requests.arrows of a killed run); it holds: todo.txt", r.err().strip());
    }

    @Test
    void reportOnAnArrowFileOfAnotherSchemaNamesTheFileAndWhatIsMissing() throws Exception {
        // given: a run folder whose requests.arrow is in fact its iterations table
        var run = Files.createDirectories(work.resolve("renamed"));
        Files.copy(runs.getFirst().resolve("iterations.arrow"), run.resolve("requests.arrow"));
        var r = execute("report", run.toString(), "--out", work.resolve("rep").toString());
        assertEquals(1, r.code());
        assertEquals("servelab report: " + run.resolve("requests.arrow") + ": holds the 'iterations' table, not 'requests'",
                r.err().strip());
    }

    @Test
    void benchFlagsASlowedBenchmarkAgainstItsBaselineAndCanFailOnIt() throws Exception {
        var base = Files.writeString(work.resolve("base.json"), jmh(100, 5));
        var slow = Files.writeString(work.resolve("slow.json"), jmh(180, 5));
        var r = execute("bench", "--results", slow.toString(), "--baseline", base.toString(), "--out",
                work.resolve("b").toString(), "--fail-if-slower");
        assertEquals(3, r.code(), r.err());
        assertTrue(r.out().contains("SLOWER than the baseline beyond the error: replay [ss] (trace=azure)"), r.out());
        assertTrue(Files.readString(work.resolve("b/bench.md")).contains("| 1.800x | SLOWER |"));
        // and: a change within the error passes
        var same = Files.writeString(work.resolve("same.json"), jmh(104, 5));
        assertEquals(0, execute("bench", "--results", same.toString(), "--baseline", base.toString(), "--out",
                work.resolve("c").toString(), "--fail-if-slower").code());
    }

    @Test
    void benchRefusesAnotherToolsJsonNamingTheFile() throws Exception {
        var heap = Files.writeString(work.resolve("peak-heap.json"), "{\"benchmark\": \"peak heap\", \"max_heap_mib\": 910}");
        var r = execute("bench", "--results", heap.toString(), "--out", work.resolve("b").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("servelab bench: " + heap + ": not JMH results: the top level is a JSON object with "
                + "keys [benchmark, max_heap_mib]"), r.err());
        // and: a bad baseline is refused before any benchmark runs
        var r2 = execute("bench", "simulation", "--baseline", heap.toString(), "--out", work.resolve("b").toString());
        assertEquals(1, r2.code());
        assertTrue(r2.err().startsWith("servelab bench: " + heap + ": not JMH results"), r2.err());
    }

    @Test
    void benchNamesTheKnownSuitesForAnUnknownOne() throws Exception {
        var home = builtCheckout();
        var jar = home.resolve("runtime/benchmarks/target/servelab-benchmarks.jar");
        Files.createDirectories(jar.getParent());
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.jar.JarEntry("servelab/bench/jmh_generated/SimulationBenchmark_replay_jmhTest.class"));
            out.closeEntry();
        }
        var r = withHome(home, () -> execute("bench", "kernels"));
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("servelab bench: unknown suite 'kernels'; suites: simulation"), r.err());
        var list = withHome(home, () -> execute("bench", "--list"));
        assertEquals("simulation       servelab.bench.SimulationBenchmark", list.out().strip());
    }

    @Test
    void notebookInstallWritesAKernelspecWithServelabsClassPath() throws Exception {
        var home = builtCheckout();
        var kernels = work.resolve("kernels");
        var r = withHome(home, () -> execute("notebook", "install", "--rapaio", "--kernels-dir", kernels.toString()));
        assertEquals(0, r.code(), r.err());
        assertEquals("installed kernel 'servelab' (rapaio kernel) at " + kernels.resolve("servelab/kernel.json"), r.out().strip());
        var json = Json.MAPPER.readTree(kernels.resolve("servelab/kernel.json").toFile());
        assertTrue(json.get("env").get("RJK_CLASSPATH").asText().startsWith(home.resolve("runtime/target/servelab-runtime.jar").toString()));
    }

    @Test
    void notebookRunWithoutJupyterSaysWhichPackagesToInstall() throws Exception {
        var home = builtCheckout();
        var python = work.resolve("python");
        Files.writeString(python, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'nbconvert'\"\nexit 1\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        var r = withHome(home, () -> execute("notebook", "run", "--rapaio", "--python", python.toString()));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("cannot import nbconvert") && r.err().contains("apt-get install -y jupyter-nbconvert"),
                r.err());
    }

    @Test
    void notebookRunNamesAMissingNotebookBeforeMakingAnyRun() throws Exception {
        var home = builtCheckout();
        var python = work.resolve("python");
        Files.writeString(python, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        var runs = work.resolve("nbruns");
        // a typo made the demo runs and a 12-point sweep, then printed nbconvert's usage; a run folder given as a
        // notebook gave Python's IsADirectoryError
        var r = withHome(home, () -> execute("notebook", "run", "--rapaio", "--python", python.toString(), "--runs",
                runs.toString(), work.resolve("nosuch.ipynb").toString()));
        assertEquals(1, r.code());
        assertTrue(r.err().contains(work.resolve("nosuch.ipynb") + ": no such notebook"), r.err());
        assertTrue(Files.notExists(runs), "runs were made");
        r = withHome(home, () -> execute("notebook", "run", "--rapaio", "--python", python.toString(), "--runs",
                runs.toString(), work.toString()));
        assertTrue(r.err().contains(work + " is a folder, not a notebook"), r.err());
    }

    @Test
    void theAnalysisCommandsHaveHelp() {
        for (var command : List.of(List.of("report"), List.of("bench"), List.of("notebook"), List.of("notebook", "install"),
                List.of("notebook", "runs"), List.of("notebook", "run"))) {
            var args = new java.util.ArrayList<>(command);
            args.add("--help");
            var r = execute(args.toArray(String[]::new));
            assertEquals(0, r.code(), command.toString());
            assertTrue(r.out().startsWith("Usage: servelab " + String.join(" ", command)), r.out());
        }
    }

    private static String jmh(double score, double error) {
        return """
                [ { "benchmark" : "servelab.bench.SimulationBenchmark.replay", "mode" : "ss",
                    "params" : { "trace" : "azure" },
                    "primaryMetric" : { "score" : %s, "scoreError" : %s, "scoreUnit" : "ms/op" } } ]
                """.formatted(score, error);
    }
}

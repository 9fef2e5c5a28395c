package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** File-system errors say what went wrong, not only where. */
class ErrorMessagesTest {
    @TempDir Path work;

    @Test
    void aRunOutOfHeapSaysHowToGiveItMoreInsteadOfAStackTrace() throws Exception {
        // given: a JVM with a small heap and a run of more replicas than it can hold
        var plugins = servelab.runtime.host.TestBundles.defaultPlugins(work.resolve("plugins"));
        var command = java.util.List.of(servelab.runtime.install.Installation.java().toString(), "-Xmx64m",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "servelab.runtime.cli.Main", "run", "--quiet", "--plugins-dir", plugins.toString(), "--set",
                "replicas=2000", "--out", work.resolve("big").toString());
        var log = work.resolve("log.txt");
        var p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // then
        assertEquals(1, p.waitFor());
        var output = Files.readString(log);
        assertTrue(output.contains("servelab run: out of memory: the JVM's heap holds at most"), output);
        assertTrue(output.contains("SERVELAB_JAVA_OPTS=-Xmx16g"), output);
        assertTrue(!output.contains("\tat "), output);
    }

    @Test
    void reportOutOfHeapGetsReportsAdviceNotARunsOne() {
        // it told report of KV block tables and servelab recover
        var report = Main.outOfMemory("report", 300L << 20, false);
        assertTrue(report.startsWith("servelab report: out of memory: the JVM's heap holds at most 300 MiB (by default a "
                + "quarter of the machine's memory)"), report);
        assertTrue(report.contains("report fewer runs at once") && !report.contains("recover"), report);
        assertTrue(Main.outOfMemory("run", 300L << 20, false).contains("servelab recover DIR"));
        // a heap the user set is not called the default
        assertTrue(Main.outOfMemory("run", 256L << 20, true).startsWith("servelab run: out of memory: the JVM's heap "
                + "holds at most 256 MiB (as a JVM option set it). Give it more"), Main.outOfMemory("run", 1, true));
    }

    @Test
    void aWriteErrorCarriesItsCause() {
        var e = new UncheckedIOException("cannot write /runs/x/iterations.arrows", new IOException("No space left on device"));
        assertEquals("cannot write /runs/x/iterations.arrows: No space left on device", Main.message(e));
    }

    @Test
    void aFileSystemErrorSaysTheReasonBesideThePath() {
        assertEquals("/proc/servelab-test: permission denied", Main.message(new AccessDeniedException("/proc/servelab-test")));
        var wrapped = new UncheckedIOException(new java.nio.file.NoSuchFileException("/nowhere/t.csv"));
        assertEquals("/nowhere/t.csv: no such file or folder", Main.message(wrapped));
    }

    @Test
    void traceStatsOnAFolderSaysItIsAFolder() throws Exception {
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        var folder = Files.createDirectories(work.resolve("traces"));
        assertEquals(1, cli.execute("trace", "stats", folder.toString()));
        assertEquals("servelab trace stats: " + folder + ": is a folder, not a trace file", err.toString().strip());
    }

    @Test
    void aModelFolderIsNotCalledMissing() throws Exception {
        var folder = Files.createDirectories(work.resolve("models"));
        var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> servelab.runtime.exec.LoadedModel.open(folder));
        assertTrue(e.getMessage().endsWith("is a folder; give the .gguf file in it"), e.getMessage());
    }

    private static String errorOf(String... args) {
        var err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(err));
        cli.execute(args);
        return err.toString();
    }

    @Test
    void controlCharactersFromAFileAreShownAsEscapes() throws Exception {
        var binary = Files.write(work.resolve("garbage.csv"), new byte[] {0, 1, 27, '[', '2', 'J', 'G', '\n'});
        var err = errorOf("trace", "stats", binary.toString());
        assertTrue(err.contains("header [\\u0000\\u0001\\u001B[2JG]"), err);
        var cr = Files.writeString(work.resolve("cr.csv"),
                "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,37\r4,44\n");
        err = errorOf("trace", "stats", cr.toString());
        assertTrue(err.contains("was '37\\r4'"), err);
        assertTrue(err.strip().chars().noneMatch(c -> c < ' '), err);
    }

    @Test
    void brokenJsonSaysWhereWithoutJacksonsSourceText() throws Exception {
        var broken = Files.writeString(work.resolve("broken.json"), "{\"a\": [1, 2,\n");
        var err = errorOf("import", "vllm", broken.toString(), "--out", work.resolve("out").toString());
        assertTrue(err.contains("not JSON at line 2, column 1"), err);
        assertTrue(!err.contains("Source") && !err.contains("REDACTED"), err);
        var direct = Main.message(new com.fasterxml.jackson.core.JsonParseException(null, "Unexpected character"));
        assertEquals("not valid JSON: Unexpected character", direct);
    }

    @Test
    void aReportOnABrokenRunJsonAndJacksonsAdviceLeakNoLibraryText() throws Exception {
        // report said "...at [Source: REDACTED (`StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION` disabled); line: 2..."
        var run = work.resolve("run");
        try (var recorder = servelab.runtime.record.RunRecorder.create(run, servelab.runtime.record.RecorderOptions.defaults())) {
            recorder.request(servelab.runtime.record.Rows.ok(0, 0, 10, 20));
        }
        Files.writeString(run.resolve("run.json"), "{\"a\": 1,\n");
        var err = errorOf("report", run.toString(), "--out", work.resolve("rep").toString());
        assertTrue(err.contains("run.json: not a JSON object: Unexpected end-of-input"), err);
        assertTrue(!err.contains("Source") && !err.contains("REDACTED") && !err.contains("StreamReadFeature"), err);
        // and Jackson's advice to its own users is cut: "Non-standard token 'Infinity': enable `...` to allow"
        var advice = Main.message(new IllegalArgumentException("t.jsonl:3: Non-standard token 'Infinity': enable "
                + "`JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow"));
        assertEquals("t.jsonl:3: Non-standard token 'Infinity'", advice);
    }
}

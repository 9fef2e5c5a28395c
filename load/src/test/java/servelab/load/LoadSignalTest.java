package servelab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.install.Installation;

/** A load stopped by a signal says what its folder holds and how to close it, as a run does (it exited silently). */
class LoadSignalTest {
    @TempDir Path work;

    @Test
    void aTerminatedLoadPointsToRecover() throws Exception {
        var lines = new ArrayList<String>();
        for (int i = 0; i < 400; i++) {
            lines.add("{\"timestamp\": " + (50 * i) + ", \"input_length\": 8, \"output_length\": 4, \"hash_ids\": [" + i + "]}");
        }
        var trace = Files.write(work.resolve("trace.jsonl"), lines);
        var runDir = work.resolve("load");
        var log = work.resolve("log.txt");
        Process p;
        try (var server = new OpenAiSseServer(1, 1, 0)) {
            p = new ProcessBuilder(Installation.java().toString(), "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx256m",
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    "servelab.runtime.cli.Main", "load", "--target", server.url(), trace.toString(), "--out",
                    runDir.toString()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                // when: it is sending (its folder has run.json), a TERM
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (Files.notExists(runDir.resolve("run.json")) && p.isAlive() && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                Thread.sleep(500);
                assertTrue(p.isAlive(), Files.readString(log));
                p.destroy();
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            } finally {
                p.destroyForcibly();
            }
        }
        var output = Files.readString(log);
        assertEquals(143, p.exitValue(), output);
        assertTrue(output.contains("servelab load: stopped by a signal; " + runDir), output);
        assertTrue(output.contains("servelab recover " + runDir), output);
    }
}

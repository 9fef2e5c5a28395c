package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.install.Installation;

/** A run stopped by a signal says so, and how to close its folder; it exited 143 without a word. */
class SignalStopTest {
    @TempDir Path work;

    @Test
    void aTerminatedRunPointsToRecover() throws Exception {
        // given: an emulated run (paced on the wall clock) in its own JVM
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var runDir = work.resolve("run");
        var log = work.resolve("log.txt");
        var tmp = Files.createDirectories(work.resolve("tmp"));
        var p = new ProcessBuilder(Installation.java().toString(), "-Djava.io.tmpdir=" + tmp,
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx512m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                "servelab.runtime.cli.Main", "run", "--quiet", "--executor", "emulated", "--plugins-dir",
                plugins.toString(), "--out", runDir.toString(), "--set", "trace.synthetic.count=5000")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            // when: it is replaying (run.json written, its control port open), a TERM
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((Files.notExists(runDir.resolve("control.port")) || Files.notExists(runDir.resolve("run.json")))
                    && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(300);
            assertTrue(p.isAlive(), Files.readString(log));
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        // then: 143, and the console says what the folder holds and which command closes it
        assertEquals(143, p.exitValue(), Files.readString(log));
        var output = Files.readString(log);
        assertTrue(output.contains("servelab run: stopped by a signal; " + runDir), output);
        assertTrue(output.contains("servelab recover " + runDir), output);
        try (var left = Files.list(tmp)) { // the plugin framework's bundle cache was left in the temp folder
            assertEquals(List.of(), left.map(f -> f.getFileName().toString()).filter(f -> f.startsWith("servelab-felix-")).toList());
        }
        assertEquals(0, Main.commandLine().execute("recover", runDir.toString()));
        assertTrue(servelab.runtime.report.RunResults.load(runDir).isComplete());
    }
}

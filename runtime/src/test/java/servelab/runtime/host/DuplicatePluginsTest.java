package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.schedulers.fcfs.FcfsScheduler;

/** Two jars claiming the same kind and name are reported when the host starts, naming both. */
class DuplicatePluginsTest {
    private static final String FCFS = "return ctx -> new Ordering(ctx.running(), ctx.waiting());";

    @TempDir Path work;

    @Test
    void aSecondSchedulerNamedFcfsIsReportedWithBothJars() throws Exception {
        var plugins = Files.createDirectories(work.resolve("plugins"));
        TestBundles.drop(plugins, "servelab-scheduler-fcfs.jar", TestBundles.bundleOf(FcfsScheduler.class));
        TestBundles.drop(plugins, "my-copy.jar", TestBundles.scheduler(work, "fcfs", "9.0.0", "", FCFS));
        var reports = new TestBundles.Reports();
        try (var testbed = Testbed.start(plugins, reports)) {
            var duplicates = testbed.registry().duplicates();
            assertEquals(1, duplicates.size(), duplicates.toString());
            var line = duplicates.getFirst();
            assertTrue(line.startsWith("scheduler 'fcfs' is provided by more than one plugin"), line);
            assertTrue(line.contains("servelab-scheduler-fcfs.jar") && line.contains("my-copy.jar"), line);
            assertTrue(line.contains("runs get the one from my-copy.jar"), line); // the higher version
            assertTrue(reports.any("fault " + line), reports.lines.toString());
        }
    }

    @Test
    void aJarDroppedInWithAnotherJarsNameAndVersionIsSaidToBeOne() throws Exception {
        var plugins = Files.createDirectories(work.resolve("plugins"));
        TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS));
        var reports = new TestBundles.Reports();
        try (var testbed = Testbed.start(plugins, reports).watch()) {
            // a second build of probe@1.0.0 under another bundle name: it swapped a slot to itself, said nothing
            TestBundles.drop(plugins, "copy.jar", TestBundles.scheduler(Files.createDirectories(work.resolve("copy")),
                    "probe", "1.0.0", "int x = 1;", FCFS));
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!reports.any("copy.jar: scheduler probe@1.0.0 is also in probe.jar")) {
                assertTrue(System.nanoTime() < deadline, reports.lines.toString());
                Thread.sleep(5);
            }
        }
    }

    @Test
    void distinctNamesAndKindsAreNotDuplicates() throws Exception {
        // "none" is both a built-in speculator and a bundled prefix cache: another kind, so no clash
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var reports = new TestBundles.Reports();
        try (var testbed = Testbed.start(plugins, reports)) {
            assertEquals(List.of(), testbed.registry().duplicates());
            assertTrue(!reports.any("more than one plugin"), reports.lines.toString());
        }
    }
}

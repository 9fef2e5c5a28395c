package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rebuilt jar of unchanged sources differs in packing only, and must not swap a plugin for a copy of itself. */
class IdenticalBundleTest {
    private static final String FCFS = "return ctx -> new Ordering(ctx.running(), ctx.waiting());";

    @TempDir Path work;

    /** The same entries, in reverse order, with other timestamps and a new Bnd-LastModified: what a rebuild gives. */
    private static byte[] repacked(byte[] jar) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var in = new JarInputStream(new ByteArrayInputStream(jar))) {
            var manifest = in.getManifest();
            manifest.getMainAttributes().putValue("Bnd-LastModified", Long.toString(System.currentTimeMillis()));
            var entries = new ArrayList<JarEntry>();
            var contents = new ArrayList<byte[]>();
            for (var e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                entries.add(e);
                contents.add(in.readAllBytes());
            }
            try (var jarOut = new JarOutputStream(out, manifest)) {
                for (int i = entries.size() - 1; i >= 0; i--) {
                    var entry = new JarEntry(entries.get(i).getName());
                    entry.setTime(946_684_800_000L + i * 60_000L);
                    jarOut.putNextEntry(entry);
                    jarOut.write(contents.get(i));
                    jarOut.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void theContentDigestIgnoresPackingButNotContent() throws Exception {
        var v1 = TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS);
        assertFalse(java.util.Arrays.equals(v1, repacked(v1)));
        assertEquals(JarContent.read(v1).digest(), JarContent.read(repacked(v1)).digest());
        var v2 = TestBundles.scheduler(work, "probe", "2.0.0", "", FCFS);
        assertNotEquals(JarContent.read(v1).digest(), JarContent.read(v2).digest());
    }

    @Test
    void aRepackedCopyOfADeployedJarIsNotDeployedAgain() throws Exception {
        var plugins = Files.createDirectories(work.resolve("plugins"));
        var reports = new TestBundles.Reports();
        var v1 = TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS);
        TestBundles.drop(plugins, "probe.jar", v1);
        try (var testbed = Testbed.start(plugins, reports)) {
            // when: the rebuilt jar replaces the file
            TestBundles.drop(plugins, "probe.jar", repacked(v1));
            // then: nothing is installed, and the plugin is still the one from the first bundle
            assertFalse(testbed.deployer().deploy(plugins.resolve("probe.jar")));
            assertEquals(1, reports.lines.stream().filter(l -> l.startsWith("deploy probe.jar")).count(), reports.lines.toString());
            // while a changed jar still is
            TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "2.0.0", "", FCFS));
            assertTrue(testbed.deployer().deploy(plugins.resolve("probe.jar")));
        }
    }

    @Test
    void aCopyOfADeployedJarUnderAnotherNameIsNotDeployedAndInheritsItsBundle() throws Exception {
        // a copy dropped in under another name was installed and swapped the plugin for itself, losing its state
        var plugins = Files.createDirectories(work.resolve("plugins"));
        var reports = new TestBundles.Reports();
        var v1 = TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS);
        TestBundles.drop(plugins, "probe.jar", v1);
        try (var testbed = Testbed.start(plugins, reports)) {
            TestBundles.drop(plugins, "probe-copy.jar", repacked(v1));
            assertFalse(testbed.deployer().deploy(plugins.resolve("probe-copy.jar")));
            assertFalse(testbed.deployer().deploy(plugins.resolve("probe-copy.jar")));
            assertEquals(0, reports.count("deploy probe-copy.jar"), reports.lines.toString());
            assertEquals(1, reports.count("info probe-copy.jar: the same bundle as probe.jar (the same content); "
                    + "nothing changed"), reports.lines.toString()); // said once
            // the original goes: the copy holds the plugin still
            Files.delete(plugins.resolve("probe.jar"));
            testbed.deployer().remove(plugins.resolve("probe.jar"));
            assertEquals(1, probes(testbed), reports.lines.toString());
            // and when the copy goes too, so does the plugin
            Files.delete(plugins.resolve("probe-copy.jar"));
            testbed.deployer().remove(plugins.resolve("probe-copy.jar"));
            assertEquals(0, probes(testbed), reports.lines.toString());
        }
    }

    @Test
    void aCopyOfTheEarlierBuildKeepsItAndNoListingSwapsItBackIn() throws Exception {
        // the copy of v1 was installed by ctl plugins' listing, after probe.jar had become v2: it swapped v2 back out;
        // and when probe.jar (v2) went, the copy (v1, which a fresh start would install) stayed uninstalled. Now the
        // copy keeps v1's bundle when probe.jar becomes v2 (as a fresh start of the folder has both), and nothing more
        var plugins = Files.createDirectories(work.resolve("plugins"));
        var reports = new TestBundles.Reports();
        var v1 = TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS);
        TestBundles.drop(plugins, "probe.jar", v1);
        try (var testbed = Testbed.start(plugins, reports)) {
            TestBundles.drop(plugins, "copy.jar", v1);
            assertFalse(testbed.deployer().deploy(plugins.resolve("copy.jar")));
            TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "probe", "2.0.0", "", FCFS));
            assertTrue(testbed.deployer().deploy(plugins.resolve("probe.jar")));
            assertFalse(testbed.deployer().deployProviders(plugins, null)); // what ctl plugins does
            assertEquals(List.of("1.0.0", "2.0.0"), versions(testbed).stream().sorted().toList(), reports.lines.toString());
            assertEquals(1, reports.count("deploy probe.jar: scheduler probe@2.0.0"), reports.lines.toString());
            Files.delete(plugins.resolve("probe.jar"));
            testbed.deployer().remove(plugins.resolve("probe.jar"));
            assertEquals(List.of("1.0.0"), versions(testbed), reports.lines.toString());
        }
    }

    @Test
    void aJarThatBecomesACopyOfAnotherHandsItsBundleToItsOwnCopy() throws Exception {
        // probe.jar (v1) and copy.jar (v1, dormant); then probe.jar gets other.jar's bytes: its v1 bundle was withdrawn
        // and copy.jar, the only v1 left in the folder, stayed dormant: probe was gone for good
        var plugins = Files.createDirectories(work.resolve("plugins"));
        var reports = new TestBundles.Reports();
        var v1 = TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS);
        var other = TestBundles.scheduler(work, "other", "1.0.0", "", FCFS);
        TestBundles.drop(plugins, "probe.jar", v1);
        TestBundles.drop(plugins, "other.jar", other);
        try (var testbed = Testbed.start(plugins, reports)) {
            TestBundles.drop(plugins, "copy.jar", v1);
            assertFalse(testbed.deployer().deploy(plugins.resolve("copy.jar")));
            var bundle = testbed.registry().installed().stream().filter(p -> p.descriptor().name().equals("probe"))
                    .findFirst().orElseThrow().bundleId();
            TestBundles.drop(plugins, "probe.jar", other);
            assertFalse(testbed.deployer().deploy(plugins.resolve("probe.jar")));
            assertTrue(reports.any("probe.jar: the same bundle as other.jar (the same content); what it held before "
                    + "goes; its bundle stays, the same as copy.jar's"), reports.lines.toString());
            Files.delete(plugins.resolve("probe.jar"));
            testbed.deployer().remove(plugins.resolve("probe.jar"));
            assertEquals(List.of("1.0.0"), versions(testbed), reports.lines.toString());
            assertEquals(bundle, testbed.registry().installed().stream().filter(p -> p.descriptor().name().equals("probe"))
                    .findFirst().orElseThrow().bundleId()); // the same bundle: its state stayed
        }
    }

    @Test
    void aJarWithNewContentLeavesItsEarlierBundleToItsCopy() throws Exception {
        // probe.jar (probe) and copy.jar (probe, dormant); then probe.jar gets another plugin's bytes: probe was
        // uninstalled, and copy.jar, which holds it, stayed dormant (a fresh start of the folder has both)
        var plugins = Files.createDirectories(work.resolve("plugins"));
        var reports = new TestBundles.Reports();
        var v1 = TestBundles.scheduler(work, "probe", "1.0.0", "", FCFS);
        TestBundles.drop(plugins, "probe.jar", v1);
        try (var testbed = Testbed.start(plugins, reports)) {
            TestBundles.drop(plugins, "copy.jar", v1);
            assertFalse(testbed.deployer().deploy(plugins.resolve("copy.jar")));
            TestBundles.drop(plugins, "probe.jar", TestBundles.scheduler(work, "other", "1.0.0", "", FCFS));
            assertTrue(testbed.deployer().deploy(plugins.resolve("probe.jar")));
            assertEquals(List.of("1.0.0"), versions(testbed), reports.lines.toString());
            assertTrue(testbed.registry().installed().stream().anyMatch(p -> p.descriptor().name().equals("other")));
            assertTrue(reports.any("probe.jar's earlier bundle stays, the same as copy.jar's"), reports.lines.toString());
            // and copy.jar holds it now: removing it withdraws probe
            Files.delete(plugins.resolve("copy.jar"));
            testbed.deployer().remove(plugins.resolve("copy.jar"));
            assertEquals(List.of(), versions(testbed), reports.lines.toString());
        }
    }

    private static List<String> versions(Testbed testbed) {
        return testbed.registry().installed().stream().filter(p -> p.descriptor().name().equals("probe"))
                .map(p -> p.descriptor().version()).toList();
    }

    private static long probes(Testbed testbed) {
        return testbed.registry().installed().stream().filter(p -> p.descriptor().name().equals("probe")).count();
    }
}

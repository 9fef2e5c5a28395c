package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A jar whose plugin factory cannot be created is said once, by the deployer, not as a stack trace per command. */
class BrokenFactoryBundleTest {
    @TempDir Path work;

    @Test
    void aFactoryThatFailsToInitialiseIsOneLineNamingTheJarOnce() throws Exception {
        var source = """
                package test.broken;
                public final class Factory implements servelab.api.PluginFactory<servelab.api.sched.Scheduler> {
                    static final int LIMIT = Integer.parseInt("abc"); // a bad default, as a plugin author may write
                    public servelab.api.PluginDescriptor descriptor() { return null; }
                    public servelab.api.sched.Scheduler create(servelab.api.Params p) { return null; }
                }
                """;
        var plugins = Files.createDirectories(work.resolve("plugins"));
        TestBundles.drop(plugins, "broken.jar", TestBundles.bundle(work, "test.broken.Factory", source, "1.0.0"));
        var reports = new CopyOnWriteArrayList<String>();
        var err = new ByteArrayOutputStream();
        var out = new ByteArrayOutputStream();
        PrintStream oldErr = System.err, oldOut = System.out;
        System.setErr(new PrintStream(err, true));
        System.setOut(new PrintStream(out, true));
        try (var testbed = Testbed.start(plugins, (type, kind, from, to, detail) -> reports.add(type + " " + detail))) {
            assertTrue(testbed.registry().installed().stream().noneMatch(p -> p.source().equals("broken.jar")));
        } finally {
            System.setErr(oldErr);
            System.setOut(oldOut);
        }
        var faults = reports.stream().filter(r -> r.startsWith("fault ")).toList();
        assertEquals(1, faults.size(), reports.toString());
        var fault = faults.getFirst();
        assertTrue(fault.startsWith("fault broken.jar: its plugin factory could not be created: "), fault);
        assertTrue(fault.contains("NumberFormatException: For input string: \"abc\""), fault);
        assertFalse(fault.contains("broken.jar: broken.jar") || fault.matches(".*\\.\\.\\. \\d+ more.*"), fault);
        // and Declarative Services printed no stack trace of its own (it did, on every command)
        assertFalse((err.toString() + out.toString()).contains("ERROR : bundle"), err + "\n" + out);
        assertEquals(List.of(), List.of(err.toString().lines().filter(l -> l.strip().startsWith("at ")).limit(1).toArray()));
    }
}

package servelab.runtime.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.host.TestBundles;

/**
 * The launcher starts JVMs without the Vector API (so the AOT cache can hold linked classes): simulated runs must not
 * need it, and commands that run the kernels start themselves again with it. Checked in fresh JVMs started as the
 * launcher starts them, less the cache.
 */
class VectorModuleTest {
    @TempDir Path work;

    private record Outcome(int code, String output) {}

    /** {@code servelab.runtime.cli.Main args} in a JVM without the Vector API (or {@code main} instead of Main). */
    private Outcome launch(String main, String... args) throws Exception {
        var command = new ArrayList<>(List.of(Installation.java().toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main));
        command.addAll(List.of(args));
        var log = work.resolve("log.txt");
        var p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int code = p.waitFor();
        return new Outcome(code, Files.readString(log));
    }

    @Test
    void aSimulatedRunNeedsNoVectorApi() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var r = launch("servelab.runtime.cli.Main", "run", "--quiet", "--plugins-dir", plugins.toString(),
                "--out", work.resolve("run").toString(), "--set", "trace.synthetic.count=40");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("Successful requests:                     40"), r.output());
        assertFalse(r.output().contains("incubator"), r.output()); // no second JVM was started with the module
    }

    @Test
    void aModelRunStartsItselfAgainWithTheVectorApi() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var model = work.resolve("tiny.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 3);
        var r = launch("servelab.runtime.cli.Main", "run", "--quiet", "--plugins-dir", plugins.toString(),
                "--out", work.resolve("run").toString(), "--model", model.toString(),
                "--set", "trace.synthetic.count=6", "--set", "trace.synthetic.input.max=100",
                "--set", "trace.synthetic.output.max=10", "--set", "model.threads=1", "--set", "model.warmup_s=0");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().contains("WARNING: Using incubator modules: jdk.incubator.vector"), r.output());
        assertTrue(r.output().contains("Successful requests:                     6"), r.output());
        assertEquals(6, Files.readAllLines(work.resolve("run/outputs.jsonl")).size());
    }

    @Test
    void aModelRunOutsideTheCommandLineSaysWhatToAdd() throws Exception {
        var r = launch(Probe.class.getName());
        assertEquals(3, r.code(), r.output());
        assertTrue(r.output().contains("need the JDK's Vector API, which this JVM was started without: add "
                + "--add-modules=jdk.incubator.vector"), r.output());
    }

    @Test
    void theRelaunchAddsTheModuleKeepsTheJvmOptionsAndDropsTheCache() {
        var command = VectorModule.relaunchCommand(List.of("run", "x.yaml"));
        assertEquals(Installation.java().toString(), command.getFirst());
        assertEquals(VectorModule.FLAG, command.get(1));
        assertTrue(command.stream().noneMatch(o -> o.startsWith("-XX:AOTCache=")), command.toString());
        assertEquals(List.of("servelab.runtime.cli.Main", "run", "x.yaml"), command.subList(command.size() - 3,
                command.size()));
        assertEquals(System.getProperty("java.class.path"), command.get(command.size() - 4));
    }

    /** An embedding program: calls {@link VectorModule#ensure()} without {@code Main} having started it. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                VectorModule.ensure();
            } catch (IllegalStateException e) {
                System.out.println(e.getMessage());
                System.exit(3);
            }
        }
    }
}

package servelab.runtime.install;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkJarTest {
    @TempDir Path home;

    private void jar(Path file, String... entries) throws Exception {
        Files.createDirectories(file.getParent());
        try (var out = new JarOutputStream(Files.newOutputStream(file))) {
            for (var e : entries) {
                out.putNextEntry(new JarEntry(e));
                out.closeEntry();
            }
        }
    }

    @Test
    void suitesAreTheBenchmarkClassesOfEveryBenchmarksModuleNamedWithoutBenchmark() throws Exception {
        // given: runtime/benchmarks and a kernels/benchmarks module, built; and a jar without JMH classes
        jar(home.resolve("runtime/benchmarks/target/servelab-benchmarks-0.1.0-SNAPSHOT.jar"),
                "servelab/bench/jmh_generated/SimulationBenchmark_replay_jmhTest.class",
                "servelab/bench/jmh_generated/SimulationBenchmark_replayAndRecord_jmhTest.class",
                "servelab/bench/SimulationBenchmark.class");
        jar(home.resolve("runtime/benchmarks/target/lib/jmh-core.jar"), "org/openjdk/jmh/Main.class");
        jar(home.resolve("kernels/benchmarks/target/kernels-benchmarks.jar"),
                "servelab/kernels/bench/jmh_generated/MatmulBenchmark_q8_jmhTest.class");
        jar(home.resolve("datasets/target/servelab-datasets.jar"), "servelab/datasets/Traces.class");
        // when
        var jars = BenchmarkJar.find(new Installation(home));
        // then
        assertEquals(2, jars.size());
        assertEquals(List.of("servelab.kernels.bench.MatmulBenchmark"), jars.get(0).classes());
        assertEquals(List.of("servelab.bench.SimulationBenchmark"), jars.get(1).classes());
        assertEquals(List.of(home.resolve("runtime/benchmarks/target/servelab-benchmarks-0.1.0-SNAPSHOT.jar"),
                home.resolve("runtime/benchmarks/target/lib/jmh-core.jar")), jars.get(1).classpath());
        assertEquals("simulation", BenchmarkJar.suiteName("servelab.bench.SimulationBenchmark"));
        assertEquals("matmul", BenchmarkJar.suiteName("servelab.kernels.bench.MatmulBenchmark"));
    }
}

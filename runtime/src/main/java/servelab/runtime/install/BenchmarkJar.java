package servelab.runtime.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A built JMH benchmark module: its jar, the class path folder beside it, and the benchmark classes in it (found
 * from the classes JMH's annotation processor generates, {@code jmh_generated/Class_method_jmhTest}).
 *
 * @param jar       the module's jar
 * @param classpath the jar and its {@code lib/*.jar}
 * @param classes   fully qualified benchmark classes, sorted
 */
public record BenchmarkJar(Path jar, List<Path> classpath, List<String> classes) {

    /** A suite's name for a benchmark class: {@code servelab.bench.SimulationBenchmark} is {@code simulation}. */
    public static String suiteName(String benchmarkClass) {
        String simple = benchmarkClass.substring(benchmarkClass.lastIndexOf('.') + 1);
        if (simple.endsWith("Benchmark") && simple.length() > "Benchmark".length()) {
            simple = simple.substring(0, simple.length() - "Benchmark".length());
        }
        return simple.toLowerCase(Locale.ROOT);
    }

    /**
     * Every benchmark jar of the checkout: {@code benchmarks/target/*.jar} of any module up to three folders deep
     * (runtime/benchmarks today; kernels/benchmarks and others when they exist), holding JMH-generated classes.
     */
    public static List<BenchmarkJar> find(Installation installation) throws IOException {
        var out = new ArrayList<BenchmarkJar>();
        try (Stream<Path> dirs = Files.find(installation.home(), 4, (p, a) -> a.isDirectory()
                && p.getFileName().toString().equals("target") && p.getParent().getFileName().toString().equals("benchmarks"))) {
            for (var target : dirs.sorted().toList()) {
                for (var jar : Installation.jarsIn(target)) {
                    var classes = benchmarkClasses(jar);
                    if (classes.isEmpty()) continue;
                    var cp = new ArrayList<Path>();
                    cp.add(jar);
                    cp.addAll(Installation.jarsIn(target.resolve("lib")));
                    out.add(new BenchmarkJar(jar, List.copyOf(cp), classes));
                }
            }
        }
        return out;
    }

    static List<String> benchmarkClasses(Path jar) throws IOException {
        var classes = new TreeSet<String>();
        try (var file = new JarFile(jar.toFile())) {
            file.stream().map(e -> e.getName()).filter(n -> n.contains("/jmh_generated/") && n.endsWith("_jmhTest.class"))
                    .forEach(n -> {
                        String pkg = n.substring(0, n.indexOf("/jmh_generated/")).replace('/', '.');
                        String generated = n.substring(n.lastIndexOf('/') + 1);
                        classes.add(pkg + "." + generated.substring(0, generated.indexOf('_')));
                    });
        }
        return List.copyOf(classes);
    }
}

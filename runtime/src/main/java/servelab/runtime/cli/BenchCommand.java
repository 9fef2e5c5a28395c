package servelab.runtime.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.install.BenchmarkJar;
import servelab.runtime.install.Installation;
import servelab.runtime.record.Json;
import servelab.runtime.report.bench.BenchReport;
import servelab.runtime.report.bench.JmhResults;

/** {@code servelab bench}: runs JMH suites and reports them, side by side with a baseline when given one. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run the JMH benchmark suites (all, or the ones named), write JMH's JSON and a report",
                "(bench.md, bench.html, a chart per suite): score, error and unit per benchmark, and with --baseline",
                "the ratio to the baseline and a flag where the difference exceeds the combined error.",
                "Suites are the benchmark classes of every built benchmarks module, named without 'Benchmark'",
                "(SimulationBenchmark is 'simulation'); --list shows them.",
                "Examples: servelab bench simulation --baseline runtime/benchmarks/results/simulation.json",
                "          servelab bench --results new.json --baseline old.json   (report only, no run)"})
final class BenchCommand implements Callable<Integer> {
    @Parameters(arity = "0..*", paramLabel = "SUITE", description = "suites to run (default: all)")
    List<String> suites = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "FILE", description = "JMH JSON to compare with")
    Path baseline;

    @Option(names = "--results", paramLabel = "FILE", description = "report on this JMH JSON instead of running")
    Path results;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder (default reports/bench-TIMESTAMP)")
    Path out;

    @Option(names = "--jmh", paramLabel = "ARGS", description = "extra JMH arguments, e.g. --jmh \"-f 1 -wi 1 -i 3\"")
    String jmhArgs;

    @Option(names = "--list", description = "list the suites and exit")
    boolean list;

    @Option(names = "--fail-if-slower", description = "exit with status 3 when a benchmark is SLOWER than the baseline")
    boolean failIfSlower;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var stdout = spec.commandLine().getOut();
        var folder = out != null ? out
                : DefaultFolders.of("reports", "bench-");
        if (baseline != null) JmhResults.read(baseline); // a bad baseline fails before minutes of benchmarking
        Path json;
        if (results != null) {
            if (!suites.isEmpty() || jmhArgs != null) {
                throw new IllegalArgumentException("--results reports on a file: give no SUITE and no --jmh with it");
            }
            json = results;
        } else {
            var jars = BenchmarkJar.find(Installation.current());
            var selected = select(jars);
            if (list) {
                for (var e : suites(jars).entrySet()) stdout.printf("%-16s %s%n", e.getKey(), e.getValue());
                stdout.flush();
                return 0;
            }
            Files.createDirectories(folder);
            json = folder.resolve("jmh.json");
            run(selected, json);
        }
        var written = BenchReport.write(json, Optional.ofNullable(baseline), folder);
        stdout.printf("benchmark report: %s%n              and %s (%d chart%s)%n", written.markdown(), written.html(),
                written.charts().size(), written.charts().size() == 1 ? "" : "s");
        if (written.comparison().anySlower()) {
            stdout.println("SLOWER than the baseline beyond the error: " + written.comparison().rows().stream()
                    .filter(r -> r.verdict() == servelab.runtime.report.bench.BenchComparison.Verdict.SLOWER)
                    .map(r -> r.result().method() + " [" + r.result().mode() + "]" // two modes of one method
                            + (r.result().params().isEmpty() ? "" : " (" + r.result().paramText() + ")"))
                    .collect(Collectors.joining(", ")));
        }
        stdout.flush();
        return failIfSlower && written.comparison().anySlower() ? 3 : 0;
    }

    /** Suite name to benchmark class, over every jar. */
    private static Map<String, String> suites(List<BenchmarkJar> jars) {
        var out = new LinkedHashMap<String, String>();
        for (var jar : jars) for (var c : jar.classes()) out.put(BenchmarkJar.suiteName(c), c);
        return out;
    }

    /** Per jar, the JMH include patterns of the selected suites. */
    private Map<BenchmarkJar, List<String>> select(List<BenchmarkJar> jars) {
        if (jars.isEmpty()) {
            throw new IllegalStateException("no built benchmark jar under " + Installation.current().home()
                    + " (*/benchmarks/target/*.jar): build them with ./mvnw -DskipTests package");
        }
        var known = suites(jars);
        for (var s : suites) {
            if (!known.containsKey(s)) {
                throw new IllegalArgumentException("unknown suite '" + s + "'; suites: " + String.join(", ", known.keySet())
                        + " (kernels, schedulers and caches suites appear when their modules add JMH benchmarks)");
            }
        }
        var out = new LinkedHashMap<BenchmarkJar, List<String>>();
        for (var jar : jars) {
            var patterns = new ArrayList<String>();
            for (var c : jar.classes()) {
                if (suites.isEmpty() || suites.contains(BenchmarkJar.suiteName(c))) patterns.add("^" + Pattern.quote(c + "."));
            }
            if (!patterns.isEmpty()) out.put(jar, patterns);
        }
        return out;
    }

    /** Runs JMH once per jar (each on its own class path) and merges their JSON arrays into {@code json}. */
    private void run(Map<BenchmarkJar, List<String>> selected, Path json) throws IOException, InterruptedException {
        var merged = Json.MAPPER.createArrayNode();
        int k = 0;
        for (var e : selected.entrySet()) {
            Path part = json.resolveSibling("jmh-" + (k++) + ".json");
            var command = new ArrayList<String>();
            command.add(Installation.java().toString());
            command.addAll(Installation.jvmFlags());
            command.addAll(List.of("-XX:+UseParallelGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                    "-Dservelab.home=" + Installation.current().home(), "-cp",
                    e.getKey().classpath().stream().map(Path::toString).collect(Collectors.joining(java.io.File.pathSeparator)),
                    "org.openjdk.jmh.Main"));
            command.addAll(e.getValue());
            command.addAll(List.of("-rf", "json", "-rff", part.toString()));
            if (jmhArgs != null && !jmhArgs.isBlank()) command.addAll(Arrays.asList(jmhArgs.strip().split("\\s+")));
            int rc = new ProcessBuilder(command).directory(Installation.current().home().toFile()).inheritIO()
                    .start().waitFor();
            if (rc != 0) throw new IllegalStateException("JMH exited with status " + rc + " running " + e.getValue());
            merged.addAll((ArrayNode) Json.MAPPER.readTree(part.toFile()));
            Files.delete(part);
        }
        Json.write(json, merged);
    }
}

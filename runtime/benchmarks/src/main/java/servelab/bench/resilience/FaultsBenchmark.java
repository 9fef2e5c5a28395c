package servelab.bench.resilience;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.record.Json;

/**
 * {@code runtime/benchmarks/run faults [OUT.json] [REQUESTS] [REPEATS]}: what fault injection costs the simulation.
 * The same 64-replica run (REQUESTS synthetic requests, default 50,000, at ~9.5 req/s per replica, least-requests
 * routing, iterations recorded every 64th step) without faults and with a seeded random schedule (crashes with
 * restarts, stragglers and partitions on every replica, mean time between failures 60 s), REPEATS times each
 * (default 3), interleaved so load on a shared machine falls on both alike; wall times and their medians side by
 * side, with the load average before and after.
 */
public final class FaultsBenchmark {
    static final int REPLICAS = 64;

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("servelab.home", "."));
        Path out = args.length > 0 ? Path.of(args[0]) : home.resolve("runtime/benchmarks/results/faults.json");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        if (requests < 1 || repeats < 1) { // 0 repeats died on an index -1, with no file written
            throw new IllegalArgumentException("faults: REQUESTS and REPEATS must be >= 1, were " + requests + " and " + repeats);
        }
        var plugins = home.resolve("target/plugins");
        var work = Files.createTempDirectory("servelab-faults-bench-");
        var json = new LinkedHashMap<String, Object>();
        json.put("requests", requests);
        json.put("replicas", REPLICAS);
        json.put("uptime_before", uptime());
        var plain = new ArrayList<Map<String, Object>>();
        var faulted = new ArrayList<Map<String, Object>>();
        // one run of each first, not kept: the fresh JVM's first run was always a fault-free one (3.7 s against
        // 1.9 s warm), which lifted the fault-free median and flattered the faulted side; then each pair in
        // alternating order (ABBA), so neither side always follows the other
        measure(plugins, work.resolve("warm-plain"), requests, false);
        measure(plugins, work.resolve("warm-faults"), requests, true);
        for (int i = 0; i < repeats; i++) {
            boolean plainFirst = i % 2 == 1;
            if (plainFirst) plain.add(measure(plugins, work.resolve("plain-" + i), requests, false));
            faulted.add(measure(plugins, work.resolve("faults-" + i), requests, true));
            if (!plainFirst) plain.add(measure(plugins, work.resolve("plain-" + i), requests, false));
        }
        json.put("warm_up", "one run of each before the measured ones, not kept; then pairs in alternating order");
        json.put("uptime_after", uptime());
        double plainMedian = median(plain), faultedMedian = median(faulted);
        json.put("median_wall_s_without_faults", plainMedian);
        json.put("median_wall_s_with_faults", faultedMedian);
        json.put("ratio", faultedMedian / plainMedian);
        json.put("without_faults", plain);
        json.put("with_faults", faulted);
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Json.write(out, json);
        deleteTree(work);
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    private static Map<String, Object> measure(Path plugins, Path dir, int requests, boolean faults) throws Exception {
        double rate = 9.5 * REPLICAS;
        var overrides = new ArrayList<>(List.of("name=faults", "seed=1", "replicas=" + REPLICAS,
                "trace.synthetic.count=" + requests, "trace.synthetic.arrivals.rate=" + rate,
                "trace.synthetic.input={dist: lognormal, mean: 1155, sigma: 0.9, min: 8, max: 8000}",
                "trace.synthetic.output={dist: lognormal, mean: 211, sigma: 0.9, min: 2, max: 2000}",
                "plugins.router.name=least-requests", "record.iteration_every=64", "record.cluster_interval_ms=1000"));
        long spanMs = Math.round(requests / rate * 1000);
        if (faults) {
            overrides.add("faults=[{kind: random, mtbf_s: 60, mean_duration_ms: 5000, kinds: [crash, straggle, "
                    + "partition], factor: 3, warmup_ms: 10000, to_ms: " + spanMs + ", seed: 3}]");
        }
        System.gc();
        long start = System.nanoTime();
        var r = ExperimentRunner.run(ExperimentFile.load(null, overrides), dir,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        double wallS = (System.nanoTime() - start) / 1e9;
        var m = new LinkedHashMap<String, Object>();
        m.put("faults", faults);
        m.put("wall_s", wallS);
        m.put("simulated_s", r.simulatedNanos() / 1e9);
        m.put("iterations", r.iterations());
        m.put("completed", r.summary().completed());
        m.put("failed", r.summary().failed());
        m.put("load_after", uptime());
        System.err.println("faults benchmark: " + m);
        deleteTree(dir);
        return m;
    }

    private static double median(List<Map<String, Object>> runs) {
        double[] w = runs.stream().mapToDouble(m -> (double) m.get("wall_s")).sorted().toArray();
        return w.length % 2 == 1 ? w[w.length / 2] : (w[w.length / 2 - 1] + w[w.length / 2]) / 2;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var paths = Files.walk(dir)) {
            for (var p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static String uptime() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).strip();
        } catch (Exception e) {
            return "unknown";
        }
    }
}

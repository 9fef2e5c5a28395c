package servelab.bench.routing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.record.Json;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.TableScan;

/**
 * {@code runtime/benchmarks/run cluster [OUT.json] [REQUESTS] [REPLICAS]}: the cluster-scale benchmark of issue 13.
 * REQUESTS (default 1,000,000) synthetic requests with Azure-conversation-like lengths over REPLICAS (default 64)
 * simulated replicas behind least-requests routing, per-request recording on, per-iteration recording thinned to
 * every 64th step, run under -Xmx2g. It reports wall time, peak heap, and the cost per sequence-iteration (one
 * sequence in one step) beside the same workload on one replica (REQUESTS / REPLICAS requests at 1/REPLICAS the
 * rate). Sequence-iterations are estimated from the thinned iterations table (sum of batch sizes x 64).
 */
public final class ClusterScaleBenchmark {
    private static final int EVERY = 64;

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("servelab.home", "."));
        Path out = args.length > 0 ? Path.of(args[0]) : home.resolve("runtime/benchmarks/results/cluster-scale.json");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int replicas = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        var plugins = home.resolve("target/plugins");
        var work = Files.createTempDirectory("servelab-cluster-scale-");
        var json = new LinkedHashMap<String, Object>();
        json.put("requests", requests);
        json.put("replicas", replicas);
        json.put("cluster", measure(plugins, work.resolve("cluster"), requests, replicas));
        json.put("single_replica", measure(plugins, work.resolve("single"), Math.max(1, requests / replicas), 1));
        json.put("uptime_after", uptime());
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Json.write(out, json);
        if (!Boolean.getBoolean("servelab.cluster.keep")) deleteTree(work); // a 1 M run writes ~3.5 GB
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /** One run: ~9.5 req/s per replica, Azure-conversation-like lengths (log-normal, means 1,155 in and 211 out). */
    private static Map<String, Object> measure(Path plugins, Path dir, int requests, int replicas) throws Exception {
        var overrides = new ArrayList<>(List.of("name=scale", "seed=1", "replicas=" + replicas,
                "trace.synthetic.count=" + requests, "trace.synthetic.arrivals.rate=" + 9.5 * replicas,
                "trace.synthetic.input={dist: lognormal, mean: 1155, sigma: 0.9, min: 8, max: 8000}",
                "trace.synthetic.output={dist: lognormal, mean: 211, sigma: 0.9, min: 2, max: 2000}",
                "plugins.router.name=least-requests", "record.iteration_every=" + EVERY,
                "record.cluster_interval_ms=1000"));
        System.gc();
        var heap = new PeakHeap();
        long start = System.nanoTime();
        var r = ExperimentRunner.run(ExperimentFile.load(null, overrides), dir,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        double wallS = (System.nanoTime() - start) / 1e9;
        long[] peak = heap.stop();
        double[] seqIterations = {0};
        TableScan.of(r.runDir(), ResultTable.ITERATIONS, "batch_size").orElseThrow().forEach(batch -> {
            for (double b : batch.doubles("batch_size")) seqIterations[0] += b;
        });
        seqIterations[0] *= EVERY;
        var m = new LinkedHashMap<String, Object>();
        m.put("requests", requests);
        m.put("replicas", replicas);
        m.put("wall_s", wallS);
        m.put("simulated_s", r.simulatedNanos() / 1e9);
        m.put("iterations", r.iterations());
        m.put("sequence_iterations_estimated", seqIterations[0]);
        m.put("ns_per_sequence_iteration", wallS * 1e9 / seqIterations[0]);
        m.put("peak_heap_used_bytes", peak[0]);
        m.put("peak_heap_after_gc_bytes", peak[1]);
        m.put("completed", r.summary().completed());
        m.put("little_ratio", Json.MAPPER.readTree(r.runDir().resolve("summary.json").toFile()).path("little_ratio").asDouble());
        System.err.println("cluster-scale: " + m);
        return m;
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
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

    /**
     * Samples used heap every 50 ms on a daemon thread (the engine runs single-threaded on the caller's): the peak
     * of what is used including garbage not yet collected (depends on the collector's timing), and the peak of what
     * the heap pools held after their last collection (the live data, as close as sampling gets).
     */
    private static final class PeakHeap {
        private volatile boolean running = true;
        private volatile long peak;
        private volatile long peakAfterGc;
        private final Thread thread;

        PeakHeap() {
            var rt = Runtime.getRuntime();
            var pools = java.lang.management.ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null)
                    .toList();
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (running) {
                    peak = Math.max(peak, rt.totalMemory() - rt.freeMemory());
                    long afterGc = 0;
                    for (var p : pools) afterGc += p.getCollectionUsage().getUsed();
                    peakAfterGc = Math.max(peakAfterGc, afterGc);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        /** @return {peak used, peak used after collection}, bytes */
        long[] stop() throws InterruptedException {
            running = false;
            thread.join();
            return new long[] {peak, peakAfterGc};
        }
    }
}

package servelab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.record.Json;

/**
 * Peak Java heap of a full Mooncake replay through {@code servelab run}'s path (OSGi host, engine, Arrow recorder,
 * summary), with the default plugins on {@code llama-3.1-8b/h100-80gb} (whose context holds every request). Run it with {@code -Xmx1g} ({@code runtime/benchmarks/run heap}
 * does): finishing at all shows the replay fits in 1 GiB; the sampled peak says by how much.
 */
public final class PeakHeapBenchmark {
    static final String PROFILE = "llama-3.1-8b/h100-80gb";

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : Path.of("runtime/benchmarks/results/peak-heap.json");
        Path home = Path.of(System.getProperty("servelab.home", "."));
        var trace = BenchEngine.sharedTrace("mooncake_fast25/conversation_trace.jsonl");
        var runDir = Files.createTempDirectory("servelab-heap-bench-").resolve("run");
        var peak = new AtomicLong();
        var memory = ManagementFactory.getMemoryMXBean();
        var sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        // Llama 3.1's 131,072-token context serves every request: on the default profile's 8,192, 46% of Mooncake's
        // requests were refused at arrival and the "full replay" measured half a replay
        var experiment = ExperimentFile.load(null, List.of("name=mooncake-heap", "trace.file=" + trace,
                "profile=" + PROFILE));
        long t0 = System.nanoTime();
        var result = ExperimentRunner.run(experiment, runDir,
                new ExperimentRunner.Options(home.resolve("target/plugins"), (t, k, f, to, d) -> {}, null, null));
        long wall = System.nanoTime() - t0;
        sampler.interrupt();
        long poolPeaks = 0;
        for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) poolPeaks += pool.getPeakUsage().getUsed();
        }
        var report = new LinkedHashMap<String, Object>();
        report.put("benchmark", "peak heap of a full Mooncake replay (servelab run path, default plugins, profile "
                + PROFILE + ")");
        report.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1 << 20));
        report.put("sampled_peak_used_heap_mib", peak.get() / (double) (1 << 20));
        report.put("sum_of_heap_pool_peaks_mib", poolPeaks / (double) (1 << 20));
        report.put("requests", result.requests());
        report.put("completed", result.summary().completed());
        report.put("failed", result.summary().failed());
        report.put("iterations", result.iterations());
        report.put("wall_s_including_host_start", wall / 1e9);
        report.put("host", Map.of("java", Runtime.version().toString(), "cpus", Runtime.getRuntime().availableProcessors()));
        Files.createDirectories(out.toAbsolutePath().getParent());
        Json.write(out, report);
        System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        try (var files = Files.walk(runDir.getParent())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

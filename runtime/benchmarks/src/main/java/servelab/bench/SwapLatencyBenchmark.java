package servelab.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;

import servelab.api.PluginKind;
import servelab.datasets.TraceRequest;
import servelab.datasets.synthetic.Arrivals;
import servelab.datasets.synthetic.Lengths;
import servelab.datasets.synthetic.SyntheticTrace;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.host.PluginSelection;
import servelab.runtime.host.Testbed;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.Json;
import servelab.runtime.record.RequestRow;

/**
 * Hot-swap latency, measured on a running engine (a benchmark, not a test: it reports, it does not assert).
 *
 * <p>The engine replays a long synthetic trace on its own thread with the real plugin bundles from the build's
 * {@code target/plugins}. The main thread repeatedly publishes a new build of the scheduler bundle (the fcfs jar
 * with a changed manifest, so it is a new bundle with the same plugin) and measures, on the wall clock:
 * <ul>
 *   <li>{@code update_to_first_iteration_ms}: from handing the jar to the deployer (install, start, DS
 *       activation, plugin creation, slot install) to the start of the first engine iteration that uses it;</li>
 *   <li>{@code jar_to_first_iteration_ms}: from the jar's atomic rename into the watched directory to that
 *       iteration (adds the watcher's event delivery and its 50 ms settle time);</li>
 *   <li>{@code max_step_gap_ms}: the longest wall time between two consecutive engine steps while swaps happen,
 *       against the same with no swaps (a swap must not stall the engine).</li>
 * </ul>
 */
public final class SwapLatencyBenchmark {
    private static final int SWAPS = 20;

    public static void main(String[] args) throws Exception {
        Path out = args.length > 0 ? Path.of(args[0]) : Path.of("runtime/benchmarks/results/swap-latency.json");
        Path home = Path.of(System.getProperty("servelab.home", "."));
        Path plugins = Files.createTempDirectory("servelab-swap-bench-");
        for (var jar : List.of("servelab-scheduler-fcfs", "servelab-batcher-continuous", "servelab-kv-paged",
                "servelab-caching-prefix", "servelab-caching-eviction")) {
            Files.copy(home.resolve("target/plugins/" + jar + "-0.1.0-SNAPSHOT.jar"), plugins.resolve(jar + ".jar"));
        }
        byte[] fcfs = Files.readAllBytes(plugins.resolve("servelab-scheduler-fcfs.jar"));

        var swapSeen = new AtomicLong();
        var lastStep = new AtomicLong(System.nanoTime());
        var maxGap = new AtomicLong();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        try (var testbed = Testbed.start(plugins, (type, kind, from, to, detail) -> {
            if (type.equals("fault")) System.err.println("fault: " + detail);
        })) {
            var slots = testbed.registry().createSlots(1, Map.of(
                    PluginKind.SCHEDULER, PluginSelection.of(PluginKind.SCHEDULER, "fcfs"),
                    PluginKind.BATCHER, PluginSelection.of(PluginKind.BATCHER, "continuous"),
                    PluginKind.KV_ALLOCATOR, PluginSelection.of(PluginKind.KV_ALLOCATOR, "paged"),
                    PluginKind.ROUTER, PluginSelection.of(PluginKind.ROUTER, "round-robin"),
                    PluginKind.ADMISSION, PluginSelection.of(PluginKind.ADMISSION, "accept-all")));
            var cost = CostModels.load(BenchEngine.PROFILE);
            ResultSink sink = new ResultSink() {
                @Override public void request(RequestRow row) {}
                @Override public void iteration(IterationRow row) {}

                @Override
                public void event(EventRow row) {
                    if (row.type().equals("swap")) swapSeen.set(System.nanoTime()); // start of the first new iteration
                }
            };
            var replica = new Replica(0, new ReplicaConfig(16, cost.kvCapacityBlocks(16), 0), slots.replicas().getFirst(),
                    new SimulatedExecutor(cost, 16), sink);
            var sim = new Simulation(List.of(replica), slots.cluster(), sink).onStep((r, end) -> {
                long now = System.nanoTime();
                maxGap.accumulateAndGet(now - lastStep.getAndSet(now), Math::max);
            });
            var trace = endless(stop);
            var engine = Thread.ofPlatform().name("engine").start(() -> sim.run(trace));

            Thread.sleep(2_000); // warm up the engine
            long baselineGap = measureGap(maxGap, 3_000);

            maxGap.set(0);
            var direct = new ArrayList<Double>();
            for (int i = 0; i < SWAPS; i++) {
                Path jar = plugins.resolve("servelab-scheduler-fcfs.jar");
                Files.write(jar, variant(fcfs, "direct-" + i));
                swapSeen.set(0);
                long t0 = System.nanoTime();
                testbed.deployer().deploy(jar);
                direct.add(awaitSwap(swapSeen, t0));
                Thread.sleep(100);
            }
            testbed.watch();
            Thread.sleep(500);
            var watched = new ArrayList<Double>();
            for (int i = 0; i < SWAPS; i++) {
                Path tmp = plugins.resolve(".incoming.part");
                Files.write(tmp, variant(fcfs, "watched-" + i));
                swapSeen.set(0);
                long t0 = System.nanoTime();
                Files.move(tmp, plugins.resolve("servelab-scheduler-fcfs.jar"), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                watched.add(awaitSwap(swapSeen, t0));
                Thread.sleep(200);
            }
            long swapGap = maxGap.get();
            stop.set(true);
            engine.join();

            var result = new LinkedHashMap<String, Object>();
            result.put("benchmark", "hot-swap latency on a running engine (wall clock)");
            result.put("swaps_each", SWAPS);
            result.put("update_to_first_iteration_ms", stats(direct));
            result.put("jar_to_first_iteration_ms", stats(watched));
            result.put("max_step_gap_ms_during_swaps", swapGap / 1e6);
            result.put("max_step_gap_ms_baseline_3s", baselineGap / 1e6);
            result.put("engine_iterations", replica.iterations());
            result.put("host", Map.of("java", Runtime.version().toString(), "cpus", Runtime.getRuntime().availableProcessors()));
            Files.createDirectories(out.toAbsolutePath().getParent());
            Json.write(out, result);
            System.out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(result));
        }
    }

    private static long measureGap(AtomicLong maxGap, long millis) throws InterruptedException {
        maxGap.set(0);
        Thread.sleep(millis);
        return maxGap.get();
    }

    private static double awaitSwap(AtomicLong seen, long t0) throws InterruptedException {
        long deadline = t0 + 10_000_000_000L;
        while (seen.get() == 0) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no swap within 10 s");
            Thread.sleep(0, 100_000);
        }
        return (seen.get() - t0) / 1e6;
    }

    private static Map<String, Object> stats(List<Double> ms) {
        var sorted = ms.stream().sorted().toList();
        var m = new LinkedHashMap<String, Object>();
        int n = sorted.size();
        m.put("median", n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
        m.put("p90", sorted.get((int) Math.ceil(0.9 * sorted.size()) - 1));
        m.put("max", sorted.getLast());
        m.put("min", sorted.getFirst());
        m.put("all", ms);
        return m;
    }

    /** The jar with one more manifest attribute: a new bundle with the same plugin. */
    private static byte[] variant(byte[] jar, String tag) throws IOException {
        var out = new ByteArrayOutputStream();
        try (var in = new JarInputStream(new ByteArrayInputStream(jar))) {
            var manifest = in.getManifest();
            manifest.getMainAttributes().putValue("X-ServeLab-Bench", tag);
            try (var jarOut = new JarOutputStream(out, manifest)) {
                for (var e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    jarOut.putNextEntry(new ZipEntry(e.getName()));
                    jarOut.write(in.readAllBytes());
                    jarOut.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }

    /** Requests arriving faster than a run of this benchmark lasts, until {@code stop}. */
    private static Iterator<TraceRequest> endless(java.util.concurrent.atomic.AtomicBoolean stop) {
        var synthetic = SyntheticTrace.of(new Arrivals.Poisson(20), new Lengths.Uniform(64, 1024),
                new Lengths.Uniform(16, 256), 50_000_000, 1).iterator();
        return new Iterator<>() {
            @Override public boolean hasNext() { return !stop.get() && synthetic.hasNext(); }
            @Override public TraceRequest next() { return synthetic.next(); }
        };
    }
}

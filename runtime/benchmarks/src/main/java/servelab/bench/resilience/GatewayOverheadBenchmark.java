package servelab.bench.resilience;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.Params;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.datasets.ReadOptions;
import servelab.datasets.Traces;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.plugins.resilience.breaker.CircuitBreakerPerReplica;
import servelab.plugins.resilience.hedge.QuantileHedge;
import servelab.plugins.resilience.retry.BackoffRetry;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.Network;
import servelab.runtime.engine.ClusterSink;
import servelab.runtime.engine.ClusterSlots;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;
import servelab.schedulers.fcfs.FcfsScheduler;

/**
 * What the gateway's resilience bookkeeping costs a run in which nothing fails (issue 14: "must not slow the
 * fault-free path measurably"). The shared Azure conversation slice (9,754 requests) replayed on 1 or 8 simulated
 * replicas (default plugins, {@code llama-3-8b/h100-80gb}, requests spread by id) three ways, side by side in one
 * fork:
 *
 * <ul>
 *   <li>{@code direct}: the gateway hands each request to its replica and hears nothing back (the single-replica
 *       path, as {@code SimulationBenchmark} runs it);</li>
 *   <li>{@code tracked}: every request is an attempt the gateway tracks to its answer (idempotency keys on), with
 *       every resilience kind {@code none};</li>
 *   <li>{@code policies}: {@code tracked} plus a deadline and an attempt timeout (1 h each, so they never fire but
 *       each is a timer per request), {@code retry} (3 attempts), {@code hedge} after a fixed 1 h (asked for every
 *       attempt, a timer each, never sent) and {@code circuit-breaker} (a Resilience4j breaker per replica, fed
 *       every answer).</li>
 * </ul>
 * The aux counters show the work is the same: requests, sequence-iterations, and extra attempts (retries and hedges
 * sent; 0 in a fault-free run).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5)
@Measurement(iterations = 7)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--add-opens=java.base/java.nio=ALL-UNNAMED",
        "--sun-misc-unsafe-memory-access=allow", "-XX:+UseParallelGC", "-Xmx1g"})
public class GatewayOverheadBenchmark {
    static final String PROFILE = "llama-3-8b/h100-80gb";
    static final String TRACE = "azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv";
    static final int BLOCK_SIZE = 16;
    static final long HOUR_NANOS = 3_600_000_000_000L;

    @Param({"direct", "tracked", "policies"})
    public String gateway;

    @Param({"1", "8"})
    public int replicas;

    private java.nio.file.Path file;

    /** What one operation did. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Work {
        public long requests;
        public long sequenceIterations;
        public long extraAttempts;

        @Setup(Level.Iteration)
        public void clear() {
            requests = sequenceIterations = extraAttempts = 0;
        }
    }

    @Setup(Level.Trial)
    public void locate() {
        file = servelab.bench.BenchEngine.sharedTrace(TRACE);
    }

    @Benchmark
    public long replay(Work work) throws IOException {
        var counting = new Counting();
        long end;
        try (var reader = Traces.open(file, ReadOptions.DEFAULT)) {
            end = simulation(gateway, replicas, counting).run(reader);
        }
        work.requests += counting.requests;
        work.sequenceIterations += counting.sequenceIterations;
        work.extraAttempts += counting.extraAttempts;
        return end;
    }

    /** The cluster for one mode; public so a test can check the modes do the same work. */
    public static Simulation simulation(String mode, int n, ResultSink sink) {
        var cost = CostModels.load(PROFILE);
        boolean direct = mode.equals("direct");
        if (!direct && !mode.equals("tracked") && !mode.equals("policies")) {
            throw new IllegalArgumentException("gateway mode must be direct, tracked or policies, was " + mode);
        }
        var front = new ClusterSink(sink, Network.NONE);
        var list = new ArrayList<Replica>();
        for (int i = 0; i < n; i++) {
            var slots = new ReplicaSlots(slot(new FcfsScheduler(), Map.of()), slot(new ContinuousBatcher(), Map.of()),
                    slot(new PagedKvAllocator(), Map.of()), slot(new servelab.plugins.caching.prefix.NoPrefixCache(), Map.of()),
                    slot(new servelab.plugins.caching.eviction.LruEviction(), Map.of()),
                    new PolicySlot<>(servelab.runtime.builtin.Speculators.noneInstalled()));
            list.add(new Replica(i, new ReplicaConfig(BLOCK_SIZE, cost.kvCapacityBlocks(BLOCK_SIZE), 0, false,
                    Integer.MAX_VALUE, false), slots, new SimulatedExecutor(cost, BLOCK_SIZE), direct ? sink : front));
        }
        Router byId = (request, views) -> (int) Math.floorMod(request.id(), (long) views.size());
        Admission all = (request, views) -> new Admission.Admit();
        var bySlot = new EnumMap<PluginKind, PolicySlot<?>>(PluginKind.class);
        bySlot.put(PluginKind.ROUTER, new PolicySlot<>(new PolicySlot.Installed<>(byId,
                descriptor(PluginKind.ROUTER, "by-id"), Map.of(), "bench")));
        bySlot.put(PluginKind.ADMISSION, new PolicySlot<>(new PolicySlot.Installed<>(all,
                descriptor(PluginKind.ADMISSION, "accept-all"), Map.of(), "bench")));
        for (var none : servelab.runtime.builtin.Resilience.NONE) bySlot.put(none.descriptor().kind(), PolicySlot.builtIn(none));
        var settings = GatewaySettings.DEFAULT;
        if (mode.equals("policies")) {
            bySlot.put(PluginKind.RETRY, slot(new BackoffRetry(), Map.of()));
            bySlot.put(PluginKind.HEDGE, slot(new QuantileHedge(), Map.of("delay_ms", 3_600_000.0)));
            bySlot.put(PluginKind.BREAKER, slot(new CircuitBreakerPerReplica(), Map.of()));
            settings = new GatewaySettings(HOUR_NANOS, HOUR_NANOS, true, "", 1000, 0);
        }
        var slots = new ClusterSlots(bySlot);
        if (direct) return new Simulation(list, slots, sink);
        return new Simulation(list, slots, front, Simulation.Options.defaults(n).withGateway(settings));
    }

    private static <T> PolicySlot<T> slot(PluginFactory<T> factory, Map<String, Object> params) {
        var d = factory.descriptor();
        var p = Params.validate(d.name(), d.params(), params);
        return new PolicySlot<>(new PolicySlot.Installed<>(factory.create(p), d, p.asMap(), "bench"));
    }

    private static PluginDescriptor descriptor(PluginKind kind, String name) {
        return new PluginDescriptor(kind, name, "1.0.0", "benchmark", List.of());
    }

    /** Counts what the run did, and nothing else. */
    public static final class Counting implements ResultSink {
        public long requests;
        public long completed;
        public long sequenceIterations;
        public long extraAttempts;

        @Override
        public void request(RequestRow row) {
            requests++;
            if (row.error() == null || row.error().isEmpty()) completed++;
            int attempts = row.gateway() == null ? 1 : row.gateway().attempts();
            if (attempts > 1) extraAttempts += attempts - 1;
        }

        @Override
        public void iteration(IterationRow row) {
            sequenceIterations += row.batchSize();
        }

        @Override
        public void event(EventRow row) {}
    }
}

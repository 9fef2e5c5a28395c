package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import servelab.api.PluginKind;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.SessionKey;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.record.ClusterRow;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;
import servelab.schedulers.fcfs.FcfsScheduler;

/** N replicas over the toy cost model with a hash-block prefix cache, a router given by the test, in memory. */
final class TinyCluster {
    static final class Rows implements ResultSink {
        final List<RequestRow> requests = new ArrayList<>();
        final List<IterationRow> iterations = new ArrayList<>();
        final List<EventRow> events = new ArrayList<>();
        final List<ClusterRow> cluster = new ArrayList<>();
        final Map<Long, int[]> outputs = new java.util.HashMap<>();

        @Override public void request(RequestRow row) { requests.add(row); }
        /** The iteration row at which writing fails as a full disk would (-1: never). */
        int failAtIteration = -1;

        @Override public void iteration(IterationRow row) {
            if (iterations.size() == failAtIteration) {
                throw new java.io.UncheckedIOException("cannot write iterations.arrows: No space left on device",
                        new java.io.IOException("No space left on device"));
            }
            iterations.add(row);
        }
        @Override public void event(EventRow row) { events.add(row); }
        @Override public void cluster(ClusterRow row) { cluster.add(row); }
        /** Every output written, as outputs.jsonl would have its lines. */
        final List<Long> outputLines = new ArrayList<>();

        @Override public void output(long requestId, int[] tokens) {
            outputs.put(requestId, tokens.clone());
            outputLines.add(requestId);
        }

        RequestRow byId(long id) {
            return requests.stream().filter(r -> r.requestId() == id).findFirst().orElseThrow();
        }
    }

    final Rows rows = new Rows();
    final List<Replica> replicas = new ArrayList<>();
    final PolicySlot<Router> router;
    final PolicySlot<Admission> admission;
    final Simulation simulation;
    /** The cluster's slots (tests install resilience policies into them mid-run). */
    final ClusterSlots slots;

    TinyCluster(int n, int blocks, Router initial, Simulation.Options options) {
        this(n, blocks, initial, options, new servelab.plugins.caching.prefix.HashBlockPrefixCache(), Map.of());
    }

    /** With policies in some cluster slots (retry, hedge, breaker, admission); the others hold {@code none}. */
    TinyCluster(int n, int blocks, Router initial, Simulation.Options options, Map<PluginKind, Object> policies) {
        this(n, blocks, initial, options, new servelab.plugins.caching.prefix.HashBlockPrefixCache(), policies);
    }

    /** @param prefixCache every replica's prefix cache (the {@code none} plugin for replicas without one) */
    TinyCluster(int n, int blocks, Router initial, Simulation.Options options,
                servelab.api.PluginFactory<servelab.api.kv.PrefixCache> prefixCache) {
        this(n, blocks, initial, options, prefixCache, Map.of());
    }

    TinyCluster(int n, int blocks, Router initial, Simulation.Options options,
                servelab.api.PluginFactory<servelab.api.kv.PrefixCache> prefixCache, Map<PluginKind, Object> policies) {
        this(n, blocks, initial, options, prefixCache, policies, 4, i -> new SimulatedExecutor(TinyEngine.TOY_COST, 4));
    }

    /** Replicas of {@code blockSize}-token blocks on the executors {@code executors} makes (replica index -> executor). */
    TinyCluster(int n, int blocks, Router initial, Simulation.Options options,
                servelab.api.PluginFactory<servelab.api.kv.PrefixCache> prefixCache, Map<PluginKind, Object> policies,
                int blockSize, java.util.function.IntFunction<Executor> executors) {
        router = new PolicySlot<>(router(initial, "first", Map.of()));
        admission = new PolicySlot<>(new PolicySlot.Installed<>((Admission) policies.getOrDefault(PluginKind.ADMISSION,
                (Admission) (r, v) -> new Admission.Admit()),
                TinyEngine.descriptorOf("accept-all", PluginKind.ADMISSION), Map.of(), "test"));
        var front = new ClusterSink(rows, options.network());
        for (int i = 0; i < n; i++) {
            var slots = new ReplicaSlots(new PolicySlot<>(TinyEngine.installed(new FcfsScheduler(), Map.of())),
                    new PolicySlot<>(TinyEngine.installed(new ContinuousBatcher(), Map.of())),
                    new PolicySlot<>(TinyEngine.installed(new PagedKvAllocator(), Map.of("watermark", 0.0))),
                    new PolicySlot<>(TinyEngine.installed(prefixCache, Map.of())),
                    new PolicySlot<>(TinyEngine.installed(new servelab.plugins.caching.eviction.LruEviction(), Map.of())),
                    new PolicySlot<>(servelab.runtime.builtin.Speculators.noneInstalled()));
            replicas.add(new Replica(i, new ReplicaConfig(blockSize, blocks, 0), slots, executors.apply(i), front));
        }
        var bySlot = new java.util.EnumMap<PluginKind, PolicySlot<?>>(PluginKind.class);
        bySlot.put(PluginKind.ROUTER, router);
        bySlot.put(PluginKind.ADMISSION, admission);
        for (var none : servelab.runtime.builtin.Resilience.NONE) {
            var kind = none.descriptor().kind();
            var policy = policies.get(kind);
            bySlot.put(kind, policy == null ? PolicySlot.builtIn(none) : new PolicySlot<>(new PolicySlot.Installed<>(
                    policy, TinyEngine.descriptorOf("test-" + kind.id(), kind), Map.of(), "test")));
        }
        slots = new ClusterSlots(bySlot);
        simulation = new Simulation(replicas, slots, front, options);
    }

    TinyCluster(int n, Router initial) {
        this(n, 64, initial, options(n, Network.NONE, 0, false));
    }

    static Simulation.Options options(int n, Network network, long refreshNanos, boolean estimated) {
        return new Simulation.Options(network, refreshNanos, estimated, SessionKey.AUTO, 10_000_000L, false,
                Collections.nCopies(n, "default"));
    }

    static PolicySlot.Installed<Router> router(Router policy, String name, Map<String, Object> params) {
        return new PolicySlot.Installed<>(policy, TinyEngine.descriptorOf(name, PluginKind.ROUTER), params, "test");
    }

    Rows run(List<TraceRequest> requests) {
        simulation.run(requests.iterator());
        return rows;
    }

    /** Request {@code id} arriving at {@code arrivalMs} whose prompt starts with the shared trace blocks given. */
    static TraceRequest request(long id, double arrivalMs, int prompt, int output, long... sharedBlocks) {
        return new TraceRequest(id, (long) (arrivalMs * 1e6), prompt, output, "default", 0, sharedBlocks,
                sharedBlocks.length == 0 ? 0 : 8);
    }
}

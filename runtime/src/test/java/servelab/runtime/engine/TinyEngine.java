package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import servelab.api.PluginFactory;
import servelab.api.Params;
import servelab.api.batch.Batcher;
import servelab.api.kv.KvAllocator;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.api.sched.Scheduler;
import servelab.datasets.TraceRequest;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.runtime.exec.cost.CostModel;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;
import servelab.schedulers.fcfs.FcfsScheduler;

/** A one-replica engine over the default policies, a toy cost model and an in-memory sink, for tests. */
final class TinyEngine {
    static final CostModel TOY_COST = new servelab.runtime.exec.ToyCost();

    static final class Rows implements ResultSink {
        final List<RequestRow> requests = new ArrayList<>();
        final List<IterationRow> iterations = new ArrayList<>();
        final List<EventRow> events = new ArrayList<>();
        final Map<Long, int[]> outputs = new java.util.TreeMap<>();

        @Override public void request(RequestRow row) { requests.add(row); }
        @Override public void iteration(IterationRow row) { iterations.add(row); }
        @Override public void event(EventRow row) { events.add(row); }
        @Override public void output(long requestId, int[] tokens) { outputs.put(requestId, tokens); }

        List<Integer> tokensPerStep() {
            return iterations.stream().map(r -> r.prefillTokens() + r.decodeTokens()).toList();
        }
    }

    final Rows rows = new Rows();
    final PolicySlot<Scheduler> scheduler;
    final PolicySlot<Batcher> batcher;
    final PolicySlot<KvAllocator> kv;
    final PolicySlot<servelab.api.kv.PrefixCache> prefix;
    final PolicySlot<servelab.api.kv.Eviction> eviction;
    final PolicySlot<servelab.api.spec.Speculator> speculator = new PolicySlot<>(servelab.runtime.builtin.Speculators.noneInstalled());
    final Replica replica;
    /** Executes every step on shadow KV memory, checking the copy lists and block contents (see {@link KvShadow}). */
    final KvShadow shadow;
    final Simulation simulation;

    TinyEngine(int blocks, int blockSize, Map<String, Object> batcherParams) {
        this(blocks, blockSize, batcherParams, 0);
    }

    TinyEngine(int blocks, int blockSize, Map<String, Object> batcherParams, int hostBlocks) {
        this(blocks, blockSize, batcherParams, hostBlocks, new servelab.plugins.caching.prefix.NoPrefixCache());
    }

    TinyEngine(int blocks, int blockSize, Map<String, Object> batcherParams, int hostBlocks,
               PluginFactory<servelab.api.kv.PrefixCache> prefixCache) {
        this(batcherParams, new ReplicaConfig(blockSize, blocks, hostBlocks), prefixCache,
                new servelab.runtime.exec.SimulatedExecutor(TOY_COST, blockSize));
    }

    /** With another executor (a model executor, an acceptance model), still run through the KV shadow. */
    TinyEngine(int blocks, int blockSize, Map<String, Object> batcherParams, int hostBlocks,
               PluginFactory<servelab.api.kv.PrefixCache> prefixCache, Executor executor) {
        this(batcherParams, new ReplicaConfig(blockSize, blocks, hostBlocks), prefixCache, executor);
    }

    /** With a host tier of {@code hostBlocks} that keeps evicted prefix-cache blocks (offload on). */
    static TinyEngine offloading(int blocks, int blockSize, Map<String, Object> batcherParams, int hostBlocks) {
        return new TinyEngine(batcherParams, new ReplicaConfig(blockSize, blocks, hostBlocks, true),
                new servelab.plugins.caching.prefix.HashBlockPrefixCache(),
                new servelab.runtime.exec.SimulatedExecutor(TOY_COST, blockSize));
    }

    /** With a host tier that keeps evicted prefix-cache blocks, on another executor. */
    static TinyEngine offloading(int blocks, int blockSize, Map<String, Object> batcherParams, int hostBlocks,
                                 Executor executor) {
        return new TinyEngine(batcherParams, new ReplicaConfig(blockSize, blocks, hostBlocks, true),
                new servelab.plugins.caching.prefix.HashBlockPrefixCache(), executor);
    }

    private TinyEngine(Map<String, Object> batcherParams, ReplicaConfig config,
                       PluginFactory<servelab.api.kv.PrefixCache> prefixCache, Executor executor) {
        int blockSize = config.blockSizeTokens();
        scheduler = new PolicySlot<>(installed(new FcfsScheduler(), Map.of()));
        batcher = new PolicySlot<>(installed(new ContinuousBatcher(), batcherParams));
        kv = new PolicySlot<>(installed(new PagedKvAllocator(), Map.of("watermark", 0.0)));
        prefix = new PolicySlot<>(installed(prefixCache, Map.of()));
        eviction = new PolicySlot<>(installed(new servelab.plugins.caching.eviction.LruEviction(), Map.of()));
        shadow = new KvShadow(executor, blockSize);
        replica = new Replica(0, config, new ReplicaSlots(scheduler, batcher, kv, prefix, eviction, speculator), shadow, rows);
        shadow.identity = seq -> seq.tokens;
        Router first = (r, replicas) -> 0;
        Admission all = (r, replicas) -> new Admission.Admit();
        simulation = new Simulation(List.of(replica), new ClusterSlots(
                new PolicySlot<>(new PolicySlot.Installed<>(first, descriptorOf("round-robin", servelab.api.PluginKind.ROUTER), Map.of(), "test")),
                new PolicySlot<>(new PolicySlot.Installed<>(all, descriptorOf("accept-all", servelab.api.PluginKind.ADMISSION), Map.of(), "test"))),
                rows);
    }

    static servelab.api.PluginDescriptor descriptorOf(String name, servelab.api.PluginKind kind) {
        return new servelab.api.PluginDescriptor(kind, name, "1.0.0", "test", List.of());
    }

    static <T> PolicySlot.Installed<T> installed(PluginFactory<T> factory, Map<String, Object> params) {
        var d = factory.descriptor();
        var p = Params.validate(d.label(), d.params(), params);
        return new PolicySlot.Installed<>(factory.create(p), d, p.asMap(), "test");
    }

    static TraceRequest request(long id, long arrivalMs, int prompt, int output) {
        return TraceRequest.of(id, arrivalMs * 1_000_000L, prompt, output);
    }

    Rows run(TraceRequest... requests) {
        simulation.run(List.of(requests).iterator());
        return rows;
    }
}

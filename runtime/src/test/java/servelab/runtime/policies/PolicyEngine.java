package servelab.runtime.policies;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.Params;
import servelab.api.batch.Batcher;
import servelab.api.batch.Work;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.api.sched.Scheduler;
import servelab.datasets.TraceRequest;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.ToyCost;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;
import servelab.schedulers.fcfs.FcfsScheduler;
import servelab.runtime.engine.ClusterSlots;

/**
 * One replica with a chosen scheduler and batcher (from their factories, no OSGi), paged KV without watermark, the
 * toy cost model (1 ms + 1 us per token) and in-memory rows. Records each step's plan as values, so a test can
 * assert exact plans. The engine itself checks every plan; a plan it rejects faults the run.
 */
final class PolicyEngine {
    /** Everything a run wrote, plus the plans. */
    static final class Rows implements ResultSink {
        final List<RequestRow> requests = new ArrayList<>();
        final List<IterationRow> iterations = new ArrayList<>();
        final List<EventRow> events = new ArrayList<>();
        final List<List<Work>> plans = new ArrayList<>();

        @Override public void request(RequestRow row) { requests.add(row); }
        @Override public void iteration(IterationRow row) { iterations.add(row); }
        @Override public void event(EventRow row) { events.add(row); }

        List<Integer> tokensPerStep() {
            return iterations.stream().map(r -> r.prefillTokens() + r.decodeTokens()).toList();
        }

        List<EventRow> events(String type) {
            return events.stream().filter(e -> e.type().equals(type)).toList();
        }

        RequestRow request(long id) {
            return requests.stream().filter(r -> r.requestId() == id).findFirst().orElseThrow();
        }
    }

    private static final int MAX_STEPS = 20_000;

    private PluginFactory<Scheduler> scheduler = new FcfsScheduler();
    private Map<String, Object> schedulerParams = Map.of();
    private PluginFactory<Batcher> batcher = new ContinuousBatcher();
    private Map<String, Object> batcherParams = Map.of();
    private int blocks = 16;
    private int blockSize = 4;
    private int hostBlocks;
    private PluginFactory<servelab.api.kv.PrefixCache> prefixCache = new servelab.plugins.caching.prefix.NoPrefixCache();

    static PolicyEngine with(PluginFactory<Batcher> batcher, Map<String, Object> params) {
        var engine = new PolicyEngine();
        engine.batcher = batcher;
        engine.batcherParams = params;
        return engine;
    }

    PolicyEngine scheduler(PluginFactory<Scheduler> factory, Map<String, Object> params) {
        scheduler = factory;
        schedulerParams = params;
        return this;
    }

    PolicyEngine blocks(int count, int size) {
        blocks = count;
        blockSize = size;
        return this;
    }

    /** The prefix cache to replay with (default none). */
    PolicyEngine prefixCache(PluginFactory<servelab.api.kv.PrefixCache> cache) {
        prefixCache = cache;
        return this;
    }

    PolicyEngine hostBlocks(int count) {
        hostBlocks = count;
        return this;
    }

    static TraceRequest request(long id, long arrivalMs, int prompt, int output) {
        return TraceRequest.of(id, arrivalMs * 1_000_000L, prompt, output);
    }

    static TraceRequest request(long id, long arrivalMs, int prompt, int output, String tenant, int priority) {
        return new TraceRequest(id, arrivalMs * 1_000_000L, prompt, output, tenant, priority, new long[0], 0);
    }

    static <T> PolicySlot.Installed<T> installed(PluginFactory<T> factory, Map<String, Object> params) {
        var d = factory.descriptor();
        var p = Params.validate(d.label(), d.params(), params);
        return new PolicySlot.Installed<>(factory.create(p), d, p.asMap(), "test");
    }

    Rows run(TraceRequest... requests) {
        return run(List.of(requests));
    }

    /** Replays {@code trace} (in arrival order) to the end. */
    Rows run(List<TraceRequest> trace) {
        var rows = new Rows();
        var b = installed(batcher, batcherParams);
        Batcher recording = (order, ctx, plan) -> {
            b.policy().plan(order, ctx, plan);
            rows.plans.add(plan.items());
        };
        var slots = new ReplicaSlots(new PolicySlot<>(installed(scheduler, schedulerParams)),
                new PolicySlot<>(new PolicySlot.Installed<>(recording, b.descriptor(), b.params(), "test")),
                new PolicySlot<>(installed(new PagedKvAllocator(), Map.of("watermark", 0.0))),
                new PolicySlot<>(installed(prefixCache, Map.of())),
                new PolicySlot<>(installed(new servelab.plugins.caching.eviction.LruEviction(), Map.of())),
                new PolicySlot<>(servelab.runtime.builtin.Speculators.noneInstalled()));
        var replica = new Replica(0, new ReplicaConfig(blockSize, blocks, hostBlocks), slots,
                new SimulatedExecutor(new ToyCost(), blockSize), rows);
        Router only = (r, replicas) -> 0;
        Admission all = (r, replicas) -> new Admission.Admit();
        new Simulation(List.of(replica), new ClusterSlots(
                new PolicySlot<>(new PolicySlot.Installed<>(only, descriptor(PluginKind.ROUTER, "only"), Map.of(), "test")),
                new PolicySlot<>(new PolicySlot.Installed<>(all, descriptor(PluginKind.ADMISSION, "all"), Map.of(), "test"))),
                rows).onStep((r, end) -> {
                    // a policy that keeps preempting what it just admitted never finishes: fail instead of filling the heap
                    if (r.iterations() > MAX_STEPS) {
                        throw new AssertionError("no end after " + MAX_STEPS + " steps: " + r.completed() + " of "
                                + trace.size() + " requests done, " + rows.events("preempt").size() + " preemptions");
                    }
                }).run(trace.iterator());
        return rows;
    }

    private static PluginDescriptor descriptor(PluginKind kind, String name) {
        return new PluginDescriptor(kind, name, "1.0.0", "test", List.of());
    }
}

package servelab.serve;

import java.io.IOException;
import java.io.OutputStream;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/**
 * {@code /metrics}: vLLM's metric names and meanings (v1 engine, {@code vllm/v1/metrics/loggers.py}) with the
 * labels {@code model_name} and {@code engine} (the replica), fed from the engine's rows, plus ServeLab's own
 * ({@code servelab:*}: the plugin in each slot, swaps, faults, refused and cancelled requests). Histogram buckets are
 * vLLM's. Thread-safe (the Prometheus client's metrics are).
 */
final class ServeMetrics implements ResultSink, EngineProgress {
    private static final double[] TTFT = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
            5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0,
            7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] E2E = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0,
            60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final String model;
    private final Gauge running = gauge("vllm:num_requests_running", "Number of requests in model execution batches.");
    private final Gauge waiting = gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.");
    private final Gauge kvUsage = gauge("vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.");
    private final Counter prefixQueries = counter("vllm:prefix_cache_queries",
            "Prefix cache queries, in terms of number of queried tokens.");
    private final Counter prefixHits = counter("vllm:prefix_cache_hits",
            "Prefix cache hits, in terms of number of cached tokens.");
    private final Counter preemptions = counter("vllm:num_preemptions", "Cumulative number of preemption from the engine.");
    private final Counter promptTokens = counter("vllm:prompt_tokens", "Number of prefill tokens processed.");
    private final Counter generationTokens = counter("vllm:generation_tokens", "Number of generation tokens processed.");
    private final Histogram ttft = histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", TTFT);
    private final Histogram itl = histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", ITL);
    private final Histogram e2e = histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", E2E);
    private final Counter success = Counter.builder().name("vllm:request_success")
            .help("Count of successfully processed requests.").labelNames("model_name", "engine", "finished_reason")
            .register(registry);
    private final Gauge plugin = Gauge.builder().name("servelab:plugin_in_slot")
            .help("1 for the plugin (name@version) in each slot of each replica.")
            .labelNames("model_name", "engine", "kind", "plugin").register(registry);
    private final Counter swaps = Counter.builder().name("servelab:plugin_swaps")
            .help("Policy swaps between steps, per slot kind.").labelNames("model_name", "kind").register(registry);
    private final Counter faults = Counter.builder().name("servelab:plugin_faults")
            .help("Policies that threw or broke their contract (the slot fell back), per kind.")
            .labelNames("model_name", "kind").register(registry);
    private final Counter refused = Counter.builder().name("servelab:requests_refused")
            .help("Requests answered 429 (admission policy) or 503 (server limits).")
            .labelNames("model_name", "status").register(registry);
    private final Counter cancelled = Counter.builder().name("servelab:requests_cancelled")
            .help("Requests cancelled before they finished (client gone, too slow a reader, server stopped).")
            .labelNames("model_name").register(registry);
    private final java.util.Map<String, String> slotPlugins = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile servelab.runtime.engine.ClusterSlots cluster;
    private final java.util.Map<Long, Live> live = new java.util.concurrent.ConcurrentHashMap<>();

    ServeMetrics(String model) {
        this.model = model;
    }

    /**
     * Every replica's series at zero before its first request, as vLLM exposes them from the start (a scrape of an
     * idle server found an empty page, and rates over a series that appears late start wrong).
     */
    void replicas(int count) {
        for (int i = 0; i < count; i++) {
            var e = Integer.toString(i);
            for (var g : new Gauge[] {running, waiting, kvUsage}) g.labelValues(model, e).set(0);
            for (var c : new Counter[] {prefixQueries, prefixHits, preemptions, promptTokens, generationTokens}) {
                c.labelValues(model, e);
            }
            for (var h : new Histogram[] {ttft, itl, e2e}) h.labelValues(model, e);
            for (var reason : new String[] {"stop", "length"}) success.labelValues(model, e, reason);
        }
        refused.labelValues(model, "429");
        refused.labelValues(model, "503");
        cancelled.labelValues(model);
    }

    /** The swap and fault counters of every slot kind, at zero, before the first swap or fault. */
    void slotKinds(java.util.Collection<String> kinds) {
        for (var kind : kinds) {
            swaps.labelValues(model, kind);
            faults.labelValues(model, kind);
        }
    }

    /**
     * A replica's state after a pass of its loop that took no step: a request that ended between steps (a stop
     * string, a client gone) makes no iteration row, and the gauges kept its last step's values for as long as the
     * server stayed idle. The plugins are the slots' (a {@code ctl switch} shows at once; the swap itself is counted
     * when a step takes it, as events.arrow records it).
     */
    @Override
    public void idle(Replica replica, servelab.runtime.engine.ReplicaSlots slots) {
        var e = Integer.toString(replica.index());
        running.labelValues(model, e).set(replica.runningRequests());
        waiting.labelValues(model, e).set(replica.waitingRequests());
        int total = replica.totalBlocks();
        kvUsage.labelValues(model, e).set(total == 0 ? 0 : (double) replica.usedBlocks() / total);
        slots.currentIds().forEach((kind, id) -> inUse(e, kind, id)); // every slot of the replica, not two
    }

    /**
     * The cluster's slots (router, admission, ...), under {@code engine="cluster"}: read now and at every scrape, so
     * that a {@code ctl switch} of one shows at once (it showed only once the next request had used the new policy).
     */
    void clusterPlugins(servelab.runtime.engine.ClusterSlots slots) {
        this.cluster = slots;
        slots.currentIds().forEach((kind, id) -> inUse("cluster", kind, id));
    }

    private Gauge gauge(String name, String help) {
        return Gauge.builder().name(name).help(help).labelNames("model_name", "engine").register(registry);
    }

    private Counter counter(String name, String help) {
        return Counter.builder().name(name).help(help).labelNames("model_name", "engine").register(registry);
    }

    private Histogram histogram(String name, String help, double[] buckets) {
        return Histogram.builder().name(name).help(help).classicOnly().classicUpperBounds(buckets)
                .labelNames("model_name", "engine").register(registry);
    }

    @Override
    public void iteration(IterationRow r) {
        var e = Integer.toString(r.replica());
        running.labelValues(model, e).set(r.runningSeqs());
        waiting.labelValues(model, e).set(r.waitingSeqs());
        kvUsage.labelValues(model, e).set(r.kvBlocksTotal() == 0 ? 0 : (double) r.kvBlocksUsed() / r.kvBlocksTotal());
        prefixQueries.labelValues(model, e).inc(r.prefixQueryTokens());
        prefixHits.labelValues(model, e).inc(r.prefixHitTokens());
        preemptions.labelValues(model, e).inc(r.preemptions());
        inUse(e, "scheduler", r.scheduler());
        inUse(e, "batcher", r.batcher());
    }

    /** Marks {@code id} as the plugin of {@code kind} on replica {@code engine} (and the previous one as gone). */
    private synchronized void inUse(String engine, String kind, String id) { // engine threads and scrapes
        var previous = slotPlugins.put(engine + "/" + kind, id);
        if (id.equals(previous)) return;
        if (previous != null) plugin.labelValues(model, engine, kind, previous).set(0);
        plugin.labelValues(model, engine, kind, id).set(1);
    }

    /**
     * Request {@code id}, which arrived at run-clock {@code arrivalNanos} with {@code inputTokens}, was routed to
     * replica {@code engine}: its tokens are counted as they come out ({@link #tokens}), as vLLM counts each step's.
     */
    @Override
    public void routed(long id, int engine, long arrivalNanos, int inputTokens) {
        live.put(id, new Live(Integer.toString(engine), arrivalNanos, inputTokens));
    }

    /**
     * Tokens {@code [from, to)} of request {@code id} came out at run-clock {@code nanos} (on its replica's thread):
     * generation tokens, and the time to the first token (with the prompt's tokens) or between tokens, at once; a
     * stream read {@code rate(vllm:generation_tokens_total)} as zero until its request ended.
     */
    @Override
    public void tokens(long id, int from, int to, long nanos) {
        var l = live.get(id);
        if (l != null) l.count(to, k -> nanos);
    }

    /** What of a live request the metrics have counted: tokens before {@code counted}, the last one's time. */
    private final class Live {
        final String engine;
        final long arrival;
        final int input;
        int counted;
        long last = -1;

        Live(String engine, long arrival, int input) {
            this.engine = engine;
            this.arrival = arrival;
            this.input = input;
        }

        /**
         * Counts tokens {@code [counted, to)}, token k out at {@code time(k)} (-1: not known, no latency observed); a
         * token is counted once, never again.
         */
        synchronized void count(int to, java.util.function.IntToLongFunction time) {
            for (int k = counted; k < to; k++) {
                long at = time.applyAsLong(k);
                if (k == 0) { // as vLLM v1 counts it: the whole prompt of each request prefilled, cache hits included
                    promptTokens.labelValues(model, engine).inc(input);
                    if (at >= 0) ttft.labelValues(model, engine).observe((at - arrival) / 1e9);
                } else if (at >= 0 && last >= 0 && at != last) { // one gap per step, as vLLM v1 observes it: a
                    itl.labelValues(model, engine).observe((at - last) / 1e9); // step's accepted drafts are not gaps of 0
                }
                last = at;
            }
            if (to > counted) generationTokens.labelValues(model, engine).inc(to - counted);
            counted = Math.max(counted, to);
        }
    }

    @Override
    public void request(RequestRow r) {
        var l = live.remove(r.requestId()); // ended: nothing of it stays behind, whatever its row says
        if (r.replica() < 0) return; // refused at admission: counted by refused()
        var e = Integer.toString(r.replica());
        // what its tokens did not count as they came (all of it for a request the metrics did not see routed)
        if (l == null) l = new Live(e, r.arrivalNanos(), r.inputTokens());
        var times = r.tokenTimesNanos();
        l.count(r.outputTokens(), k -> k < times.length ? times[k] : k == 0 ? r.firstTokenNanos() : -1);
        if (r.error().startsWith(Replica.CANCELLED)) cancelled.labelValues(model).inc();
        if (!r.error().isEmpty()) return;
        e2e.labelValues(model, e).observe((r.completionNanos() - r.arrivalNanos()) / 1e9);
    }

    /** A request that finished well on replica {@code engine}: {@code reason} is {@code stop} or {@code length}, as vLLM labels them. */
    @Override
    public void finished(int engine, String reason) {
        success.labelValues(model, Integer.toString(engine), reason).inc();
    }

    void refused(int status) {
        refused.labelValues(model, Integer.toString(status)).inc();
    }

    @Override
    public void event(EventRow r) {
        switch (r.type()) {
            case "swap" -> {
                swaps.labelValues(model, r.kind()).inc();
                if (r.replica() < 0) inUse("cluster", r.kind(), r.to()); // a router or admission swap
            }
            case "fault" -> faults.labelValues(model, r.kind()).inc();
            default -> { }
        }
    }

    /** The text format (version 0.0.4), as Prometheus scrapes it. */
    void write(OutputStream out) throws IOException {
        var slots = cluster;
        if (slots != null) slots.currentIds().forEach((kind, id) -> inUse("cluster", kind, id));
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), EscapingScheme.ALLOW_UTF8);
    }

    String contentType() {
        return PrometheusTextFormatWriter.create().getContentType();
    }
}

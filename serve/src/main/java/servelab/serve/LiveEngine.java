package servelab.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.datasets.TraceRequest;
import servelab.otel.RequestTracer;
import servelab.runtime.engine.PromptSource;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.exec.RequestSampling;
import servelab.runtime.experiment.HostEvents;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;
import servelab.runtime.engine.ClusterSlots;

/**
 * The engine behind the server, on the wall clock: one {@link ReplicaWorker} thread per replica, and an intake that
 * HTTP handlers call. The intake stamps the arrival, asks the admission policy and the router (over the replicas'
 * last snapshots) and posts the request to its replica; it never waits for a step. Output reaches each client
 * through its bounded {@link TokenStream}. Rows go to {@code downstream} (recorder, metrics, trace), one at a time.
 * Each request's life (arrival, first scheduled, first token, end) goes to the {@link RequestTracer} as it happens.
 */
final class LiveEngine implements AutoCloseable {
    /** What the intake answers. */
    sealed interface Outcome {}

    record Accepted(long id, TokenStream stream) implements Outcome {}

    /**
     * Not served: {@code status} 429 (the admission policy refused), 503 (over the server's own limits) or 500 (the
     * server failed to take it in; recorded as failed).
     */
    record Refused(int status, String reason) implements Outcome {}

    /**
     * One request as the front parsed it; {@code traceContext} the client's W3C trace context headers
     * ({@code traceparent}, {@code tracestate}) that it sent;
     * {@code sampling} what it asked of the model executor's sampler (the emulated executor's tokens ignore it);
     * {@code streamed} whether the client reads the answer as it comes (else it gets it whole at the end, so no
     * buffer bound applies: a client that reads nothing until the end is not a slow reader); {@code chat} whether
     * it came by the chat route (its OpenTelemetry operation, {@link #operation()}).
     */
    record Ask(int[] promptIds, int maxTokens, String tenant, List<String> stop, boolean ignoreEos,
               Map<String, String> traceContext, RequestSampling.Choice sampling, boolean streamed, boolean chat) {
        Ask(int[] promptIds, int maxTokens, String tenant, List<String> stop, boolean ignoreEos,
            Map<String, String> traceContext, RequestSampling.Choice sampling, boolean streamed) {
            this(promptIds, maxTokens, tenant, stop, ignoreEos, traceContext, sampling, streamed, false);
        }

        String operation() {
            return chat ? "chat" : "text_completion";
        }
    }

    /** Hears each request that reached the intake (the live trace). */
    interface ArrivalListener {
        void arrived(TraceRequest request, int[] promptIds);
    }

    private final long origin = System.nanoTime();
    /** The epoch time of {@link #origin}, read once: the run clock is monotonic, the wall clock may step. */
    private final long epochOrigin = epochNow() - (System.nanoTime() - origin);
    /** This session's part of every response id (8 hex digits, random): ids of two servers' answers never collide. */
    private final String session = java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextInt());
    private final ResultSink downstream;
    private final ServedTokens tokens;
    private final ServeSpec spec;
    private final ArrivalListener arrivals;
    private final RequestTracer tracer;
    private final String model;
    /** The model executor's per-request sampling, or null (emulated). */
    private final RequestSampling sampling;
    private final Map<Long, TokenStream> streams = new ConcurrentHashMap<>();
    private final Map<Long, ReplicaWorker> owners = new ConcurrentHashMap<>();
    private final Map<Long, int[]> prompts = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final List<ReplicaWorker> workers = new ArrayList<>();
    private List<Replica> replicas = List.of();
    /** The cluster's slots as last used: a ctl switch of the router or admission is a swap to record. */
    private ClusterSwaps swaps;

    /** Per replica, the prompt blocks routed to it (most recent kept): the router's estimate of its prefix cache. */
    private final List<servelab.runtime.cluster.PrefixIndex> prefixes = new ArrayList<>();
    private List<ReplicaSlots> replicaSlots;
    /** Per replica: requests routed to it and not ended; requests running at its last step. */
    private java.util.concurrent.atomic.AtomicIntegerArray inFlight, running;
    private ClusterSlots cluster;
    private Placement placement;
    private HostEvents events;
    private long nextId;
    private volatile boolean closed;

    LiveEngine(ResultSink downstream, ServedTokens tokens, ServeSpec spec, ArrivalListener arrivals,
               RequestTracer tracer, String model, RequestSampling sampling) {
        this.downstream = downstream;
        this.tokens = tokens;
        this.spec = spec;
        this.arrivals = arrivals;
        this.tracer = tracer;
        this.model = model;
        this.sampling = sampling;
    }

    /** The sink the replicas write to (before {@link #start}). */
    ResultSink sink() {
        return new EngineSink();
    }

    /** Where replicas get prompt ids: the ids the front tokenized, taken once at submission. */
    PromptSource prompts() {
        return request -> prompts.remove(request.id());
    }

    /** Starts the replicas' threads; {@code slots} are the replicas' policy slots, in replica order (for spans). */
    void start(List<Replica> replicas, List<ReplicaSlots> slots, ClusterSlots cluster, HostEvents events) {
        this.replicaSlots = List.copyOf(slots);
        this.cluster = cluster;
        this.placement = new Placement(cluster, replicas.size(), downstream);
        this.swaps = new ClusterSwaps(cluster, downstream);
        this.events = events;
        this.inFlight = new java.util.concurrent.atomic.AtomicIntegerArray(replicas.size());
        this.running = new java.util.concurrent.atomic.AtomicIntegerArray(replicas.size());
        this.replicas = List.copyOf(replicas);
        for (var replica : replicas) {
            // a replica holds at most its KV blocks of prefix: the estimate remembers as many
            prefixes.add(servelab.runtime.cluster.PrefixIndex.estimated(replica.totalBlocks()));
            replica.usePrompts(prompts());
            workers.add(new ReplicaWorker(replica, this));
        }
        workers.forEach(ReplicaWorker::start);
    }

    private static long epochNow() {
        var t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** Run-clock nanoseconds: since the engine was made. */
    long nowNanos() {
        return System.nanoTime() - origin;
    }

    /**
     * Epoch nanoseconds of run-clock time {@code runNanos}: spans take the rows' own times, so a span's phases are
     * requests.arrow's to the nanosecond and tile the request span (each event read the clock before).
     */
    long epochNanos(long runNanos) {
        return epochOrigin + runNanos;
    }

    long originNanos() {
        return origin;
    }

    /** A response's id: {@code cmpl-SESSION-ID} ({@code chatcmpl-...} for chat), ID the request_id of its row. */
    String responseId(boolean chat, long requestId) {
        return (chat ? "chatcmpl-" : "cmpl-") + session + "-" + requestId;
    }

    /** The cluster's slots (for tests in this package). */
    ClusterSlots clusterSlots() {
        return cluster;
    }

    /** Requests admitted and not yet finished. */
    int pending() {
        return pending.get();
    }

    /** The first replica failure, or null while every replica runs. */
    RuntimeException failure() {
        for (var w : workers) if (w.failure() != null) return w.failure();
        return null;
    }

    /**
     * Takes a request in, or refuses it; either way it gets an id and, when refused, its row at once (a refused
     * request is a request the run must count: 503s for {@code serve.max_pending} were once left out).
     */
    Outcome submit(Ask ask) {
        synchronized (this) { // arrival stamps, policy calls and posting in one order
            long id = nextId++;
            int maxTokens = ask.maxTokens();
            var request = new TraceRequest(id, nowNanos(), ask.promptIds().length, maxTokens, ask.tenant(), 0,
                    new long[0], 0);
            arrivals.arrived(request, ask.promptIds());
            // refused before any service, as max_pending's 503s are: rejected, not failed
            if (closed) return refuse(request, ask, 503, RequestRow.REJECTED_PREFIX + "serve: the server is shutting down");
            if (failure() != null) return refuse(request, ask, 503, "refused: the engine stopped: " + failure().getMessage());
            if (pending.incrementAndGet() > spec.maxPending()) {
                pending.decrementAndGet();
                return refuse(request, ask, 503, RequestRow.REJECTED_PREFIX + "serve.max_pending: the server holds "
                        + spec.maxPending() + " requests");
            }
            int routedTo = -1;
            try {
                var views = views();
                swaps.note(request.arrivalNanos());
                var first = replicas.getFirst(); // the replicas share a block size: the keys their prefix caches compute
                var blocks = new Arrival.PromptBlocks(first.promptBlockKeys(ask.promptIds()), first.blockSizeTokens());
                switch (placement.admit(new Arrival(request, blocks), views, request.arrivalNanos())) {
                    case Admission.Reject(String reason) -> {
                        pending.decrementAndGet();
                        return refuse(request, ask, 429, RequestRow.REJECTED_PREFIX + cluster.admission().current().id()
                                + ": " + reason);
                    }
                    case Admission.Degrade d -> { // the cap only: one replica group here
                        if (d.maxOutputTokens().isPresent() && d.maxOutputTokens().getAsInt() < maxTokens) {
                            maxTokens = Math.max(1, d.maxOutputTokens().getAsInt());
                            request = new TraceRequest(id, request.arrivalNanos(), request.inputTokens(), maxTokens,
                                    request.tenant(), 0, new long[0], 0);
                        }
                    }
                    case Admission.Admit a -> { }
                }
                int target = placement.route(new Arrival(request, blocks), views, request.arrivalNanos());
                prefixes.get(target).routed(blocks.keys()); // what the router's view estimates the replica now holds
                var plugins = cluster.currentIds();
                plugins.putAll(replicaSlots.get(target).currentIds());
                RequestSpans.received(tracer, id, ask, maxTokens, model, plugins, epochNanos(request.arrivalNanos()));
                var stream = new TokenStream(ask.streamed() ? spec.streamBuffer() : TokenStream.UNBOUNDED,
                        new OutputText(tokens, id, ask.stop(), ask.ignoreEos()), maxTokens);
                var worker = workers.get(target);
                if (sampling != null) sampling.put(id, ask.sampling()); // before its replica can step it
                streams.put(id, stream);
                owners.put(id, worker);
                inFlight.incrementAndGet(routedTo = target);
                prompts.put(id, ask.promptIds());
                var submitted = request;
                progress.routed(id, target, request.arrivalNanos(), request.inputTokens());
                worker.post(replica -> replica.submit(submitted));
                return new Accepted(id, stream);
            } catch (RuntimeException e) { // the server's fault, not the client's: undone, and the request still ends
                streams.remove(id);
                if (owners.remove(id) != null && routedTo >= 0) inFlight.decrementAndGet(routedTo);
                prompts.remove(id);
                if (sampling != null) sampling.remove(id);
                pending.decrementAndGet();
                return refuse(request, ask, 500, "internal error: " + e);
            }
        }
    }

    /** Records {@code request} as ended at arrival with {@code why}, and answers {@code status}. */
    private Refused refuse(TraceRequest request, Ask ask, int status, String why) {
        long at = epochNanos(request.arrivalNanos());
        RequestSpans.refused(tracer, request.id(), ask, request.outputTokens(), request.inputTokens(), model,
                cluster.currentIds(), why, at);
        var row = new RequestRow(request.id(), -1, request.tenant(), 0, request.arrivalNanos(), -1, -1, -1,
                request.inputTokens(), 0, 0, 0, new long[0], 0, 0, 0, why);
        row = row.withGateway(row.gateway().endedAt(request.arrivalNanos()));
        synchronized (downstream) {
            downstream.request(row);
        }
        return new Refused(status, why);
    }

    /**
     * What admission and the router see: each replica's requests routed and not ended (counted at the intake, so a
     * burst is seen before the replica's thread takes it in), those running at its last step, and its KV blocks
     * as of its last step.
     */
    private List<ReplicaView> views() {
        var views = new ArrayList<ReplicaView>(workers.size());
        for (int i = 0; i < workers.size(); i++) {
            var v = workers.get(i).view();
            int queued = inFlight.get(i);
            var replica = replicas.get(i);
            views.add(new ReplicaWorker.View(i, queued, Math.min(queued, running.get(i)), v.freeBlocks(),
                    v.totalBlocks(), replica.hasPrefixCache() ? prefixes.get(i) : null));
        }
        return views;
    }

    /**
     * Ends a request at its replica before the next step, freeing its KV: cancelled with {@code reason}, or, with
     * {@code reason} null, completed with the tokens it has (a stop condition).
     */
    void cancel(long id, String reason) {
        var worker = owners.get(id);
        if (worker != null) worker.post(replica -> replica.cancel(id, reason));
    }

    private EngineProgress progress = EngineProgress.NONE;

    /** Sets who hears of routed requests, their tokens and ends, and idle replicas (before {@link #start}). */
    void onProgress(EngineProgress listener) {
        this.progress = listener;
    }

    /** On the replica's thread, when a pass of its loop took no step. */
    void idle(Replica replica) {
        running.set(replica.index(), replica.runningRequests());
        progress.idle(replica, replicaSlots.get(replica.index()));
    }

    /** After each step, on the replica's thread: host reports (deployments, failed jars) become event rows. */
    void afterStep(Replica replica, long end) {
        synchronized (downstream) {
            events.drainTo(downstream, end);
        }
    }

    /** Stops taking requests, ends every replica's queued requests as cancelled, and stops the threads. */
    @Override
    public void close() throws InterruptedException {
        synchronized (this) { // a switch no request met since is recorded too
            if (swaps != null) swaps.note(nowNanos());
        }
        closed = true;
        for (var w : workers) w.stop(Replica.CANCELLED + "the server stopped");
    }

    /** Fans the replicas' rows out: output to the clients' streams, everything to {@code downstream}. */
    private final class EngineSink implements ResultSink {
        @Override
        public void tokens(long requestId, int[] ids, int from, int to, long nanos) {
            if (from == 0 && to > 0) tracer.firstToken(requestId, epochNanos(nanos));
            progress.tokens(requestId, from, to, nanos);
            var stream = streams.get(requestId);
            if (stream == null || stream.ending) return;
            var text = new StringBuilder();
            int n = 0;
            for (int k = from; k < to && !stream.output.stopped(); k++, n++) {
                text.append(stream.output.add(k, ids == null ? -1 : ids[k]));
            }
            if (stream.output.stopped() && to < stream.maxTokens) {
                stream.ending = true;
                cancel(requestId, null);
            }
            if (!stream.offer(new TokenStream.Delta(text.toString(), n, nanos)) && !stream.ending) {
                stream.ending = true;
                cancel(requestId, "the client read too slowly (" + spec.streamBuffer() + " chunks unread, "
                        + "serve.stream_buffer)");
            }
        }

        @Override
        public void scheduled(long requestId, long nanos) {
            tracer.scheduled(requestId, epochNanos(nanos));
        }

        @Override
        public void request(RequestRow row) {
            // ended_ns: the client hears a completion at its last token, any other end as it is recorded
            long ended = row.completionNanos() >= 0 ? row.completionNanos() : nowNanos();
            row = row.withGateway(row.gateway().endedAt(ended));
            var ending = streams.get(row.requestId());
            RequestSpans.ended(tracer, row, ending != null && ending.output.stopped(), epochNanos(ended));
            synchronized (downstream) {
                downstream.request(row);
            }
            var stream = streams.remove(row.requestId());
            if (owners.remove(row.requestId()) != null) inFlight.decrementAndGet(row.replica());
            prompts.remove(row.requestId());
            if (sampling != null) sampling.remove(row.requestId());
            if (stream == null) return;
            pending.decrementAndGet();
            boolean stopped = stream.output.stopped();
            // counted here: a streaming client gone before it read the end was never counted a success
            if (row.error().isEmpty()) progress.finished(row.replica(), stopped ? "stop" : "length");
            stream.end(new TokenStream.End(row, stopped, stream.output.rest()));
        }

        @Override
        public void iteration(IterationRow row) {
            running.set(row.replica(), row.runningSeqs());
            synchronized (downstream) {
                downstream.iteration(row);
            }
        }

        @Override
        public void event(EventRow row) {
            synchronized (downstream) {
                downstream.event(row);
            }
        }

        @Override
        public void output(long requestId, int[] ids) {
            synchronized (downstream) {
                downstream.output(requestId, ids);
            }
        }
    }

}

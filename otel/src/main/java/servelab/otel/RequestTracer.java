package servelab.otel;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;

/**
 * One span tree per served request: a {@code request} span (server kind) from arrival to the end, with three
 * children in a row, {@code queued} (arrival to first schedule), {@code prefill} (first schedule to first token)
 * and {@code decode} (first token to the end). The server reports a request's life as events keyed by its id;
 * the tracer keeps the open spans and nothing else, so the engine never touches OpenTelemetry types.
 *
 * <p>A W3C {@code traceparent} from the client makes the request span its child, so the client's trace continues
 * through the server, with the client's {@code tracestate}. Times may be given (epoch nanoseconds: the server passes
 * its rows' times, so spans and requests.arrow agree); without them each event reads the clock. Plugin names in the slots when the request arrives become attributes
 * ({@code servelab.plugin.scheduler = sjf}), so a trace viewer shows which policy served each request across a swap.
 *
 * <p>Thread-safe: events of one request come in order from whichever thread the server uses; events of different
 * requests may interleave freely. An event for an id that is not open (a second {@code finished}) does nothing.
 */
public final class RequestTracer implements AutoCloseable {
    static final AttributeKey<Long> REQUEST_ID = AttributeKey.longKey("servelab.request.id");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<java.util.List<String>> FINISH_REASONS =
            AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final String PLUGIN_PREFIX = "servelab.plugin.";

    /** The W3C headers, {@code traceparent} and {@code tracestate}, by their lower-case names. */
    private static final TextMapGetter<Map<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    /** The open spans of one request: the whole and the phase it is in. */
    private record Open(Span request, Span phase) {}

    /**
     * What became of a session's spans: {@code spans} ended, {@code delivered} exported (to the collector, or written
     * to the file); the rest were lost (a full queue, a failed or timed-out export, or still queued at the end).
     */
    public record Delivery(String destination, long spans, long delivered) {
        public long lost() {
            return spans - delivered;
        }
    }

    /** The exporter's own log: a stack trace per failed export (about 40 lines every few seconds); said once here. */
    private static final java.util.logging.Logger EXPORTER_LOG = java.util.logging.Logger.getLogger("io.opentelemetry.exporter");

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final Map<Long, Open> open = new ConcurrentHashMap<>();
    private final TraceExport destination;
    private final SpanDelivery delivery;
    private Delivery closed;

    RequestTracer(TraceExport destination, java.util.function.Consumer<String> warn) {
        this.destination = destination;
        this.delivery = new SpanDelivery(cause -> warn.accept("request spans could not be sent to "
                + destination.describe() + " (" + cause + "); serving goes on, and run.json's traces counts what was lost"));
        this.provider = destination.provider(delivery);
        this.tracer = provider.get("servelab.serve");
    }

    /** A tracer exporting to {@code destination}; see {@link TraceExport}. A failed export is said once, on stderr. */
    public static RequestTracer create(TraceExport destination) {
        return create(destination, line -> System.err.println("servelab serve: warning: " + line));
    }

    /** As {@link #create(TraceExport)}, saying a failed export to {@code warn}. */
    public static RequestTracer create(TraceExport destination, java.util.function.Consumer<String> warn) {
        if (destination instanceof TraceExport.Collector) EXPORTER_LOG.setLevel(java.util.logging.Level.OFF);
        return new RequestTracer(destination, warn);
    }

    /**
     * Request {@code id} arrived: starts its {@code request} and {@code queued} spans.
     *
     * @param traceparent the client's W3C {@code traceparent} header, if it sent one (invalid ones are ignored)
     * @param model       the model the request asked for
     * @param plugins     slot kind to plugin name at arrival, e.g. {@code scheduler -> sjf}
     */
    public void received(long id, Optional<String> traceparent, String model, Map<String, String> plugins) {
        received(id, traceparent.map(tp -> Map.of("traceparent", tp)).orElse(Map.of()), model, plugins, now());
    }

    /**
     * Request {@code id} arrived at {@code atNanos} (epoch nanoseconds): starts its {@code request} and {@code queued}
     * spans there.
     *
     * @param traceContext the client's {@code traceparent} and {@code tracestate} headers, by those names, if sent
     */
    public void received(long id, Map<String, String> traceContext, String model, Map<String, String> plugins,
                         long atNanos) {
        Context parent = traceContext.containsKey("traceparent")
                ? W3CTraceContextPropagator.getInstance().extract(Context.root(), traceContext, HEADERS) : Context.root();
        var builder = tracer.spanBuilder("request").setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(REQUEST_ID, id).setAttribute(MODEL, model).setStartTimestamp(atNanos, TimeUnit.NANOSECONDS);
        plugins.forEach((kind, name) -> builder.setAttribute(PLUGIN_PREFIX + kind, name));
        Span request = builder.startSpan();
        open.put(id, new Open(request, child(request, "queued", atNanos)));
    }

    /**
     * What request {@code id} (open) asked, in OpenTelemetry's GenAI terms: {@code gen_ai.operation.name}
     * ({@code text_completion} or {@code chat}) and {@code gen_ai.request.max_tokens}.
     */
    public void asked(long id, String operation, int maxTokens) {
        var o = open.get(id);
        if (o != null) o.request().setAttribute(OPERATION, operation).setAttribute(MAX_TOKENS, (long) maxTokens);
    }

    /**
     * How request {@code id} (open) is ending, set before {@link #finished}: {@code gen_ai.response.finish_reasons}
     * for an answer ({@code stop}, {@code length}), or {@code error.type} for an end without one (a low-cardinality
     * class such as {@code rejected} or {@code cancelled}; the span's status keeps the whole message).
     */
    public void ending(long id, String finishReason, String errorType) {
        var o = open.get(id);
        if (o == null) return;
        if (finishReason != null) o.request().setAttribute(FINISH_REASONS, java.util.List.of(finishReason));
        if (errorType != null) o.request().setAttribute(ERROR_TYPE, errorType);
    }

    /** Request {@code id} was scheduled for the first time: queued ends, prefill begins. */
    public void scheduled(long id) {
        scheduled(id, now());
    }

    /** As {@link #scheduled(long)}, at {@code atNanos} (epoch nanoseconds). */
    public void scheduled(long id, long atNanos) {
        next(id, "prefill", atNanos);
    }

    /** Request {@code id} produced its first token: prefill ends, decode begins. */
    public void firstToken(long id) {
        firstToken(id, now());
    }

    /** As {@link #firstToken(long)}, at {@code atNanos} (epoch nanoseconds). */
    public void firstToken(long id, long atNanos) {
        next(id, "decode", atNanos);
    }

    /**
     * Request {@code id} ended: its open phase and the request span end. A non-empty {@code error} (refused,
     * cancelled, failed) marks the request span as an error with that description.
     */
    public void finished(long id, int inputTokens, int outputTokens, String error) {
        finished(id, inputTokens, outputTokens, error, now());
    }

    /** As {@link #finished(long, int, int, String)}, at {@code end} (epoch nanoseconds). */
    public void finished(long id, int inputTokens, int outputTokens, String error, long end) {
        Open o = open.remove(id);
        if (o == null) return;
        o.phase().end(end, TimeUnit.NANOSECONDS);
        o.request().setAttribute(INPUT_TOKENS, (long) inputTokens).setAttribute(OUTPUT_TOKENS, (long) outputTokens);
        if (!error.isEmpty()) o.request().setStatus(StatusCode.ERROR, error);
        o.request().end(end, TimeUnit.NANOSECONDS);
    }

    /** Whether request {@code id}'s spans are open (started, not finished). */
    public boolean isOpen(long id) {
        return open.containsKey(id);
    }

    /** Requests with open spans (for tests and a health check). */
    public int openRequests() {
        return open.size();
    }

    private void next(long id, String phase, long at) {
        open.computeIfPresent(id, (k, o) -> {
            o.phase().end(at, TimeUnit.NANOSECONDS);
            return new Open(o.request(), child(o.request(), phase, at));
        });
    }

    private Span child(Span parent, String name, long startNanos) {
        return tracer.spanBuilder(name).setParent(Context.root().with(parent))
                .setStartTimestamp(startNanos, TimeUnit.NANOSECONDS).startSpan();
    }

    /** One reading for a phase's end and the next one's start, so phases tile the request without gaps. */
    private static long now() {
        var t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /**
     * Ends what is open (as errors: the server stopped first), then flushes and shuts the exporter down (waiting at
     * most 10 s for a slow collector); what was delivered is {@link #delivery()}. Closing again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed != null) return;
        for (var id : open.keySet()) finished(id, 0, 0, "server stopped");
        provider.shutdown().join(10, TimeUnit.SECONDS);
        closed = new Delivery(destination.describe(), delivery.ended(), delivery.delivered());
    }

    /** What became of the spans: final once closed, so far before. */
    public synchronized Delivery delivery() {
        return closed != null ? closed : new Delivery(destination.describe(), delivery.ended(), delivery.delivered());
    }
}

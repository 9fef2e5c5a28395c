package servelab.otel;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;

/**
 * Where request spans go: an OTLP/HTTP collector ({@code serve.otlp_endpoint}, e.g. {@code http://127.0.0.1:4318};
 * spans are posted to its {@code /v1/traces}; a URL ending in that path is taken as it is), or OTLP-JSON lines in a file of the run folder (one
 * {@code ExportTraceServiceRequest} per line, as the OpenTelemetry Collector's file exporter writes them, so the
 * collector's {@code otlpjson} receiver or any OTLP-JSON reader can load them later).
 */
public sealed interface TraceExport {
    /** The service name spans carry ({@code service.name}). */
    String SERVICE = "servelab";

    record Collector(URI endpoint) implements TraceExport {
        public Collector {
            // "httpx://..." passed a prefix test and failed only in the exporter, after the run folder was made
            var scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(java.util.Locale.ROOT);
            // (the authority, not getHost(): that is null for a name with an underscore, as Compose services have)
            if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getRawAuthority() == null
                    || endpoint.getRawAuthority().isBlank()) {
                throw new IllegalArgumentException("serve.otlp_endpoint " + endpoint + " is not an http(s) URL with a "
                        + "host, like http://127.0.0.1:4318");
            }
        }

        /**
         * Where spans are posted: the endpoint's {@code /v1/traces}, or the endpoint itself when it already names that
         * path (the collector's full URL was posted to {@code /v1/traces/v1/traces}, and only a log line said so).
         */
        public String tracesUrl() {
            var base = endpoint.toString().replaceAll("/+$", "");
            return base.endsWith("/v1/traces") ? base : base + "/v1/traces";
        }
    }

    record JsonFile(Path file) implements TraceExport {}

    /** The collector when an endpoint is configured, else {@code traces.otlp.jsonl} in {@code runDir}. */
    static TraceExport of(String otlpEndpoint, Path runDir) {
        return otlpEndpoint == null || otlpEndpoint.isBlank() ? new JsonFile(runDir.resolve("traces.otlp.jsonl"))
                : new Collector(uri(otlpEndpoint.strip()));
    }

    private static URI uri(String text) {
        try {
            // the exporter takes only a lower-case scheme: HTTPS:// passed the check and failed after the run began
            var scheme = java.util.regex.Pattern.compile("^(?i)(https?)://").matcher(text);
            return new URI(scheme.find()
                    ? scheme.group(1).toLowerCase(java.util.Locale.ROOT) + text.substring(scheme.group(1).length())
                    : text);
        } catch (java.net.URISyntaxException e) { // "127.0.0.1:4318": the parser's words alone did not name the key
            throw new IllegalArgumentException("serve.otlp_endpoint " + text + " is not an http(s) URL with a host, "
                    + "like http://127.0.0.1:4318 (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
    }

    /** The collector's URL, or the file's name, as run.json and the console say it. */
    default String describe() {
        return switch (this) {
            case Collector c -> c.tracesUrl();
            case JsonFile f -> f.file().getFileName().toString();
        };
    }

    /**
     * Spans a session may end before they are sent, 65,536 (about 16,000 requests; the SDK's default of 2,048 lost
     * most of a burst's spans behind a slow collector). Beyond, the batch processor drops them, and
     * {@link RequestTracer#close()} counts them lost.
     */
    int QUEUE = 65_536;

    /** A tracer provider batching spans to this destination, counted by {@code delivery}. */
    default SdkTracerProvider provider(SpanDelivery delivery) {
        SpanExporter exporter = switch (this) {
            case Collector c -> OtlpHttpSpanExporter.builder()
                    .setEndpoint(c.tracesUrl())
                    .setTimeout(Duration.ofSeconds(10)).build();
            case JsonFile f -> OtlpJsonFileExporter.open(f.file());
        };
        return SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(
                        Attributes.of(io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), SERVICE))))
                .addSpanProcessor(delivery.counter())
                .addSpanProcessor(BatchSpanProcessor.builder(delivery.counting(exporter))
                        .setScheduleDelay(Duration.ofMillis(500)).setMaxQueueSize(QUEUE).build())
                .build();
    }
}

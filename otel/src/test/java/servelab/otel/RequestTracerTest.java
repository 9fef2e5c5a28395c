package servelab.otel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestTracerTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";

    @TempDir Path work;

    /** Every span in an OTLP-JSON lines file, by name (names are unique per request here). */
    private static List<JsonNode> spans(Path file) throws IOException {
        var spans = new ArrayList<JsonNode>();
        var mapper = new ObjectMapper();
        for (String line : Files.readAllLines(file)) {
            for (var rs : mapper.readTree(line).get("resourceSpans")) {
                for (var ss : rs.get("scopeSpans")) ss.get("spans").forEach(spans::add);
            }
        }
        return spans;
    }

    private static Map<String, String> attributes(JsonNode span) {
        var map = new HashMap<String, String>();
        for (var a : span.get("attributes")) {
            var v = a.get("value");
            map.put(a.get("key").asText(), v.has("stringValue") ? v.get("stringValue").asText() : v.get("intValue").asText());
        }
        return map;
    }

    @Test
    void aRequestIsOneTreeOfQueuedPrefillDecodeUnderTheClientsSpan() throws Exception {
        var file = work.resolve("traces.otlp.jsonl");
        try (var tracer = RequestTracer.create(TraceExport.of(null, work))) {
            tracer.received(7, Optional.of(TRACEPARENT), "tiny", Map.of("scheduler", "sjf", "batcher", "continuous"));
            Thread.sleep(3);
            tracer.scheduled(7);
            Thread.sleep(3);
            tracer.firstToken(7);
            Thread.sleep(3);
            tracer.finished(7, 12, 4, "");
            assertEquals(0, tracer.openRequests());
        }
        var byName = new HashMap<String, JsonNode>();
        for (var s : spans(file)) byName.put(s.get("name").asText(), s);
        assertEquals(List.of("decode", "prefill", "queued", "request"), byName.keySet().stream().sorted().toList());
        var request = byName.get("request");
        // the client's trace continues: same trace id, the client's span is the parent
        assertEquals(CLIENT_TRACE, request.get("traceId").asText());
        assertEquals(CLIENT_SPAN, request.get("parentSpanId").asText());
        assertEquals(2, request.get("kind").asInt(), "server span");
        var attrs = attributes(request);
        assertEquals("sjf", attrs.get("servelab.plugin.scheduler"));
        assertEquals("continuous", attrs.get("servelab.plugin.batcher"));
        assertEquals("7", attrs.get("servelab.request.id"));
        assertEquals("4", attrs.get("gen_ai.usage.output_tokens"));
        // the phases are the request's children and tile it without gaps
        String previousEnd = request.get("startTimeUnixNano").asText();
        for (String phase : List.of("queued", "prefill", "decode")) {
            var span = byName.get(phase);
            assertEquals(request.get("spanId").asText(), span.get("parentSpanId").asText(), phase);
            assertEquals(CLIENT_TRACE, span.get("traceId").asText());
            long start = Long.parseLong(span.get("startTimeUnixNano").asText());
            long end = Long.parseLong(span.get("endTimeUnixNano").asText());
            assertTrue(end - start >= 2_000_000, phase + " lasted " + (end - start) + " ns");
            if (!phase.equals("queued")) assertEquals(previousEnd, span.get("startTimeUnixNano").asText(), phase);
            previousEnd = span.get("endTimeUnixNano").asText();
        }
        assertEquals(previousEnd, request.get("endTimeUnixNano").asText());
    }

    @Test
    void withoutAValidTraceparentARequestStartsItsOwnTrace() throws Exception {
        var file = work.resolve("traces.otlp.jsonl");
        try (var tracer = RequestTracer.create(TraceExport.of("  ", work))) {
            tracer.received(1, Optional.of("00-not-a-trace-01"), "tiny", Map.of());
            tracer.received(2, Optional.empty(), "tiny", Map.of());
            tracer.finished(1, 1, 0, "refused: 429");
            tracer.finished(2, 1, 1, "");
            tracer.finished(2, 1, 1, ""); // a second end does nothing
        }
        var requests = spans(file).stream().filter(s -> s.get("name").asText().equals("request")).toList();
        assertEquals(2, requests.size());
        for (var r : requests) {
            assertFalse(r.has("parentSpanId"), "a root span");
            assertNotEquals(CLIENT_TRACE, r.get("traceId").asText());
        }
        var refused = requests.stream().filter(r -> attributes(r).get("servelab.request.id").equals("1")).findFirst()
                .orElseThrow();
        assertEquals(2, refused.get("status").get("code").asInt(), "error status");
        assertEquals("refused: 429", refused.get("status").get("message").asText());
    }

    @Test
    void toACollectorSpansArePostedAsOtlpToV1Traces() throws Exception {
        var posts = new CopyOnWriteArrayList<String>();
        var bodies = new CopyOnWriteArrayList<byte[]>();
        var collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", ex -> {
            posts.add(ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " "
                    + ex.getRequestHeaders().getFirst("Content-Type"));
            bodies.add(ex.getRequestBody().readAllBytes());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        collector.start();
        try {
            String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/";
            try (var tracer = RequestTracer.create(TraceExport.of(endpoint, work))) {
                tracer.received(3, Optional.of(TRACEPARENT), "tiny", Map.of("scheduler", "fcfs"));
                tracer.scheduled(3);
                tracer.firstToken(3);
                tracer.finished(3, 5, 2, "");
                tracer.close();
                lastDelivery = tracer.delivery();
            }
            assertEquals(List.of("POST /v1/traces application/x-protobuf"), posts);
            assertEquals(new RequestTracer.Delivery(endpoint + "v1/traces", 4, 4), lastDelivery);
            String body = new String(bodies.getFirst(), StandardCharsets.ISO_8859_1);
            for (String s : List.of("request", "queued", "prefill", "decode", "servelab.plugin.scheduler", "fcfs")) {
                assertTrue(body.contains(s), "the OTLP payload names " + s);
            }
            assertFalse(Files.exists(work.resolve("traces.otlp.jsonl")), "no file when a collector is configured");
        } finally {
            collector.stop(0);
        }
    }

    private RequestTracer.Delivery lastDelivery;

    @Test
    void spansACollectorRefusesAreCountedLostAndTheFirstFailureIsSaidOnce() throws Exception {
        // given: a collector that answers every post with 400
        var collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(400, -1); // not one the exporter retries (503 is retried for seconds)
            ex.close();
        });
        collector.start();
        var warnings = new CopyOnWriteArrayList<String>();
        try {
            String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
            RequestTracer.Delivery delivery;
            try (var tracer = RequestTracer.create(TraceExport.of(endpoint, work), warnings::add)) {
                for (long id = 0; id < 3; id++) {
                    tracer.received(id, Optional.empty(), "tiny", Map.of());
                    tracer.finished(id, 5, 2, "");
                }
                tracer.close();
                delivery = tracer.delivery();
            }
            // then: the 6 spans (request and queued, 3 times) are lost, and said so (they were lost without a word)
            assertEquals(new RequestTracer.Delivery(endpoint + "/v1/traces", 6, 0), delivery);
            assertEquals(6, delivery.lost());
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.getFirst().startsWith("request spans could not be sent to " + endpoint + "/v1/traces ("),
                    warnings.getFirst());
        } finally {
            collector.stop(0);
        }
    }

    @Test
    void spansWrittenToTheFileAreAllDelivered() {
        try (var tracer = RequestTracer.create(TraceExport.of(null, work), line -> { throw new AssertionError(line); })) {
            tracer.received(1, Optional.empty(), "tiny", Map.of());
            tracer.finished(1, 5, 2, "");
            tracer.close();
            assertEquals(new RequestTracer.Delivery("traces.otlp.jsonl", 2, 2), tracer.delivery());
        }
    }

    @Test
    void anUpperCaseSchemeAndAnUnderscoredHostAreTakenAsTheExporterNeedsThem() {
        // HTTPS:// passed the check and the exporter refused it once the run folder was made; otel_collector (a
        // Compose service name) was refused as "no host"
        var upper = (TraceExport.Collector) TraceExport.of("HTTPS://collector:4318", Path.of("."));
        assertEquals("https://collector:4318/v1/traces", upper.tracesUrl());
        upper.provider(new SpanDelivery(line -> { })).close();
        var underscored = (TraceExport.Collector) TraceExport.of("http://otel_collector:4318", Path.of("."));
        assertEquals("http://otel_collector:4318/v1/traces", underscored.tracesUrl());
        underscored.provider(new SpanDelivery(line -> { })).close();
    }

    @Test
    void aCollectorUrlGetsV1TracesOnceWhetherOrNotItAlreadyEndsInIt() {
        assertEquals("http://127.0.0.1:4318/v1/traces",
                new TraceExport.Collector(java.net.URI.create("http://127.0.0.1:4318")).tracesUrl());
        assertEquals("http://127.0.0.1:4318/v1/traces",
                new TraceExport.Collector(java.net.URI.create("http://127.0.0.1:4318/")).tracesUrl());
        // the full URL, as collectors' docs print it, was posted to /v1/traces/v1/traces
        assertEquals("http://127.0.0.1:4318/v1/traces",
                new TraceExport.Collector(java.net.URI.create("http://127.0.0.1:4318/v1/traces")).tracesUrl());
    }
}

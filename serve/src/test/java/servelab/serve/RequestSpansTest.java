package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request spans through the server: the client's W3C traceparent continues into queued/prefill/decode spans. */
class RequestSpansTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_SPAN = "00f067aa0ba902b7";

    private static List<JsonNode> spans(Path file) throws IOException {
        var spans = new ArrayList<JsonNode>();
        for (String line : Files.readAllLines(file)) {
            for (var rs : Served.JSON.readTree(line).get("resourceSpans")) {
                for (var ss : rs.get("scopeSpans")) ss.get("spans").forEach(spans::add);
            }
        }
        return spans;
    }

    private static Map<String, String> attributes(JsonNode span) {
        var map = new HashMap<String, String>();
        for (var a : span.get("attributes")) {
            var v = a.get("value");
            map.put(a.get("key").asText(), v.has("stringValue") ? v.get("stringValue").asText()
                    : v.has("arrayValue") ? v.get("arrayValue").get("values").toString() : v.get("intValue").asText());
        }
        return map;
    }

    private static long duration(JsonNode span) {
        return Long.parseLong(span.get("endTimeUnixNano").asText()) - Long.parseLong(span.get("startTimeUnixNano").asText());
    }

    @Test
    void aRequestWithATraceparentIsAServerSpanUnderTheClientsSpanWithItsPhases(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            var r = s.post("/v1/completions", "{\"prompt\": \"trace me\", \"max_tokens\": 5, \"stream\": true}",
                    "traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01", "tracestate", "congo=t61rcWkgMzE");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"no trace\", \"max_tokens\": 2}").statusCode());
        } // closing flushes the exporter
        var spans = spans(dir.resolve("run/traces.otlp.jsonl"));
        var requests = spans.stream().filter(x -> x.get("name").asText().equals("request")).toList();
        assertEquals(2, requests.size(), spans.toString());
        var traced = requests.stream().filter(x -> x.get("traceId").asText().equals(CLIENT_TRACE)).findFirst()
                .orElseThrow(() -> new AssertionError("no request span in the client's trace: " + requests));
        assertEquals(CLIENT_SPAN, traced.get("parentSpanId").asText());
        var attrs = attributes(traced);
        assertTrue(attrs.get("servelab.plugin.scheduler").startsWith("fcfs"), attrs.toString());
        assertTrue(attrs.containsKey("servelab.plugin.admission"), attrs.toString());
        assertEquals("5", attrs.get("gen_ai.usage.output_tokens"));
        // OpenTelemetry's GenAI attributes: what was asked and how it ended (none of them was set)
        assertEquals("text_completion", attrs.get("gen_ai.operation.name"));
        assertEquals("5", attrs.get("gen_ai.request.max_tokens"));
        assertEquals("[{\"stringValue\":\"length\"}]", attrs.get("gen_ai.response.finish_reasons"));
        assertTrue(!attrs.containsKey("error.type"), attrs.toString());
        var children = new HashMap<String, JsonNode>();
        for (var x : spans) {
            if (x.path("parentSpanId").asText().equals(traced.get("spanId").asText())) children.put(x.get("name").asText(), x);
        }
        assertEquals(List.of("decode", "prefill", "queued"), children.keySet().stream().sorted().toList());
        // the phases tile the request: queued ends where prefill starts, prefill where decode starts
        assertEquals(children.get("queued").get("endTimeUnixNano").asText(),
                children.get("prefill").get("startTimeUnixNano").asText());
        assertEquals(children.get("prefill").get("endTimeUnixNano").asText(),
                children.get("decode").get("startTimeUnixNano").asText());
        assertEquals(traced.get("endTimeUnixNano").asText(), children.get("decode").get("endTimeUnixNano").asText());
        // the client's tracestate continues, and the request span starts at arrival, with queued
        assertEquals("congo=t61rcWkgMzE", traced.path("traceState").asText(), traced.toString());
        assertEquals(traced.get("startTimeUnixNano").asText(), children.get("queued").get("startTimeUnixNano").asText());
        // the phases are requests.arrow's times to the nanosecond (the rows' clock, not a reading per event)
        var rows = servelab.runtime.report.RunResults.load(dir.resolve("run")).requests();
        long id = Long.parseLong(attrs.get("servelab.request.id"));
        int at = -1;
        for (int i = 0; i < rows.rowCount(); i++) if (rows.longs("request_id")[i] == id) at = i;
        assertTrue(at >= 0, "no row for request " + id);
        assertEquals(rows.longs("first_scheduled_ns")[at] - rows.longs("arrival_ns")[at], duration(children.get("queued")));
        assertEquals(rows.longs("first_token_ns")[at] - rows.longs("first_scheduled_ns")[at], duration(children.get("prefill")));
        assertEquals(rows.longs("completion_ns")[at] - rows.longs("first_token_ns")[at], duration(children.get("decode")));
        assertEquals(rows.longs("completion_ns")[at] - rows.longs("arrival_ns")[at], duration(traced));
        // the untraced request starts a trace of its own
        var other = requests.stream().filter(x -> x != traced).findFirst().orElseThrow();
        assertTrue(other.path("parentSpanId").asText().isEmpty(), other.toString());
    }

    @Test
    void aChatStoppedByAStopStringAndAnInternalErrorSayHowTheyEnded(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            var r = s.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"Count.\"}], "
                    + "\"max_tokens\": 400, \"stop\": [\".\"]}");
            assertEquals("stop", Served.json(r).get("choices").get(0).get("finish_reason").asText(), r.body());
            // something of the server's own throws while taking the next request in: a 500 and a failed row
            var engine = s.session.engine();
            engine.onProgress(IntakeFaultsTest.failingIntake());
            assertEquals(500, s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}").statusCode());
            engine.onProgress(EngineProgress.NONE);
        }
        var requests = spans(dir.resolve("run/traces.otlp.jsonl")).stream()
                .filter(x -> x.get("name").asText().equals("request")).map(RequestSpansTest::attributes).toList();
        assertEquals(2, requests.size(), requests.toString());
        var chat = requests.stream().filter(a -> "chat".equals(a.get("gen_ai.operation.name"))).findFirst().orElseThrow();
        assertEquals("[{\"stringValue\":\"stop\"}]", chat.get("gen_ai.response.finish_reasons"));
        var failed = requests.stream().filter(a -> a != chat).findFirst().orElseThrow();
        assertEquals("internal_error", failed.get("error.type"), failed.toString());
        assertEquals("text_completion", failed.get("gen_ai.operation.name"));
        assertTrue(!failed.containsKey("gen_ai.response.finish_reasons"), failed.toString());
    }

    @Test
    void theOtlpEndpointKeyIsAcceptedAndABadOneNamed(@TempDir Path dir) {
        var spec = ServeSpec.read(Served.JSON.createObjectNode().put("otlp_endpoint", "http://127.0.0.1:4318"), "t");
        assertEquals("http://127.0.0.1:4318", spec.otlpEndpoint());
        assertEquals("HTTPS://collector:4318", ServeSpec.read(Served.JSON.createObjectNode()
                .put("otlp_endpoint", "HTTPS://collector:4318"), "t").otlpEndpoint());
        // a scheme that only starts with "http" passed, and the exporter refused it after the run folder was made;
        // no scheme, or no host, was an error that did not name the key
        for (var bad : new String[] {"ftp://x", "httpx://127.0.0.1:4318", "127.0.0.1:4318", "localhost:4318",
                "http:/v1/traces", "http://"}) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> ServeSpec.read(Served.JSON.createObjectNode().put("otlp_endpoint", bad), "t"), bad);
            assertTrue(e.getMessage().contains("serve.otlp_endpoint " + bad + " is not an http(s) URL"),
                    e.getMessage());
        }
    }
}

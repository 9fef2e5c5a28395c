package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/** run.json says what became of a session's request spans: a collector that refuses them lost them without a word. */
class TraceDeliveryTest {
    @Test
    void spansACollectorRefusedAreCountedLostInRunJson(@TempDir Path dir) throws Exception {
        var collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(400, -1); // not one the exporter retries (503 is retried for seconds)
            ex.close();
        });
        collector.start();
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort();
        try (var s = Served.start(dir, "serve.otlp_endpoint=" + endpoint)) {
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"a b\", \"max_tokens\": 3}").statusCode());
        } finally {
            collector.stop(0);
        }
        var traces = new ObjectMapper().readTree(dir.resolve("run/run.json").toFile()).get("traces");
        // one request: its request, queued, prefill and decode spans, none delivered
        assertEquals(endpoint + "/v1/traces", traces.get("destination").asText());
        assertEquals(4, traces.get("spans").asLong());
        assertEquals(0, traces.get("delivered").asLong());
        assertEquals(4, traces.get("lost").asLong());
    }

    @Test
    void spansWrittenToTheRunFolderAreAllDelivered(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"a b\", \"max_tokens\": 3}").statusCode());
        }
        var traces = new ObjectMapper().readTree(dir.resolve("run/run.json").toFile()).get("traces");
        assertEquals("traces.otlp.jsonl", traces.get("destination").asText());
        assertEquals(4, traces.get("delivered").asLong());
        assertEquals(0, traces.get("lost").asLong());
    }
}

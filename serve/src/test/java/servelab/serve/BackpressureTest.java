package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Beyond the admission policy's limits 429, beyond the server's own 503, both with Retry-After; no unbounded queue. */
class BackpressureTest {

    /** Opens a long streaming request and returns once its headers came (it is admitted or refused by then). */
    private static HttpResponse<InputStream> open(Served s) throws Exception {
        var request = HttpRequest.newBuilder(s.base.resolve("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\": \"a long one\", \"max_tokens\": 3000, \"stream\": true}"))
                .build();
        return s.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    void theAdmissionPolicysRefusalIs429WithRetryAfter(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "plugins.admission.name=bounded-queue",
                "plugins.admission.params.max_waiting_per_replica=2", "plugins.batcher.params.max_num_seqs=1",
                "serve.retry_after_s=3")) {
            var open = new ArrayList<HttpResponse<InputStream>>();
            open.add(open(s));
            long t0 = System.nanoTime();
            while (s.get("/metrics").body().lines().noneMatch(l -> l.startsWith("vllm:num_requests_running{")
                    && l.endsWith(" 1.0"))) { // the first one runs (max_num_seqs 1)
                assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "the first request never ran");
                Thread.sleep(5);
            }
            for (int i = 0; i < 2; i++) open.add(open(s)); // two wait
            for (var r : open) assertEquals(200, r.statusCode());
            var refused = open(s);
            assertEquals(429, refused.statusCode());
            assertEquals("3", refused.headers().firstValue("Retry-After").orElseThrow());
            var error = Served.JSON.readTree(refused.body().readAllBytes()).get("error");
            assertTrue(error.get("message").asText().startsWith("rejected by admission bounded-queue@1.0.0"), error.toString());
            for (var r : open) r.body().close();
        }
    }

    @Test
    void theServersOwnBoundIs503WithRetryAfter(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.max_pending=2")) {
            var a = open(s);
            var b = open(s);
            assertEquals(200, a.statusCode());
            assertEquals(200, b.statusCode());
            var refused = s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1}");
            assertEquals(503, refused.statusCode());
            assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
            assertTrue(Served.json(refused).get("error").get("message").asText().contains("serve.max_pending"));
            assertTrue(s.get("/metrics").body().contains("servelab:requests_refused_total{model_name=\"llama-3-8b/h100-80gb\",status=\"503\"} 1"));
            a.body().close();
            b.body().close();
        }
    }
}

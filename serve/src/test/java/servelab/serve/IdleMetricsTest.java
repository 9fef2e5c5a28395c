package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} between requests: series exist at zero before the first request, a request that ends between
 * steps (a stop string) leaves the gauges at the idle replica's state, a {@code ctl switch} on an idle server, of a
 * replica's slot or the cluster's, shows in {@code servelab:plugin_in_slot}, and {@code vllm:request_success} carries the replica as vLLM's {@code engine}.
 */
class IdleMetricsTest {
    private static final String MODEL = "model_name=\"llama-3-8b/h100-80gb\"";

    @Test
    void theGaugesFollowAnIdleServer(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            // before any request: every series of replica 0, at zero
            var first = s.get("/metrics").body();
            for (var line : new String[] {"vllm:num_requests_running{engine=\"0\"," + MODEL + "} 0.0",
                    "vllm:kv_cache_usage_perc{engine=\"0\"," + MODEL + "} 0.0",
                    "vllm:generation_tokens_total{engine=\"0\"," + MODEL + "} 0.0",
                    "vllm:request_success_total{engine=\"0\",finished_reason=\"stop\"," + MODEL + "} 0.0",
                    "vllm:e2e_request_latency_seconds_count{engine=\"0\"," + MODEL + "} 0"}) {
                assertTrue(first.lines().anyMatch(line::equals), line + " missing from\n" + first);
            }
            // a stop string ends the request between steps: no step follows, yet the gauges go back to idle
            var r = s.post("/v1/completions", "{\"prompt\": \"Count the words.\", \"max_tokens\": 400, \"stop\": [\".\"]}");
            assertEquals("stop", Served.json(r).get("choices").get(0).get("finish_reason").asText(), r.body());
            awaitMetrics(s, m -> m.contains("vllm:num_requests_running{engine=\"0\"," + MODEL + "} 0.0")
                    && m.contains("vllm:kv_cache_usage_perc{engine=\"0\"," + MODEL + "} 0.0"));
            var after = s.get("/metrics").body();
            assertTrue(after.contains("vllm:request_success_total{engine=\"0\",finished_reason=\"stop\"," + MODEL + "} 1.0"),
                    after);
            // a switch on the idle server shows in the slot gauge without waiting for a request
            s.control("switch scheduler sjf");
            awaitMetrics(s, m -> m.lines().anyMatch(l -> l.startsWith("servelab:plugin_in_slot{")
                    && l.contains("plugin=\"sjf@") && l.endsWith(" 1.0"))
                    && m.lines().anyMatch(l -> l.startsWith("servelab:plugin_in_slot{")
                    && l.contains("plugin=\"fcfs@") && l.endsWith(" 0.0")));
            // and so does a switch of a cluster slot (it showed only once the next request had used it)
            s.control("switch admission bounded-queue");
            var metrics = s.get("/metrics").body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("servelab:plugin_in_slot{") && l.contains("engine=\"cluster\"")
                    && l.contains("plugin=\"bounded-queue@") && l.endsWith(" 1.0")), metrics);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("servelab:plugin_in_slot{") && l.contains("engine=\"cluster\"")
                    && l.contains("kind=\"admission\"") && !l.contains("bounded-queue") && l.endsWith(" 0.0")), metrics);
        }
    }

    private static void awaitMetrics(Served s, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String body;
        while (!condition.test(body = s.get("/metrics").body())) {
            assertTrue(System.nanoTime() < deadline, "metrics stayed\n" + body);
            Thread.sleep(20);
        }
    }
}

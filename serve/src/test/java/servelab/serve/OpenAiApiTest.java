package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenAI routes on the emulated executor: shapes, usage counts, streaming, stop strings, models, metrics. */
class OpenAiApiTest {
    @TempDir static Path dir;
    static Served served;

    @BeforeAll
    static void start() throws Exception {
        served = Served.start(dir);
    }

    @AfterAll
    static void stop() throws Exception {
        served.close();
    }

    @Test
    void theServerSendsEachTokenEventWithoutNaglesDelay() {
        // left on, Nagle's algorithm holds a token event until the client's delayed ACK: ITLs of 40 ms that no
        // engine produced (seen in CI as pairs of tokens 40 ms apart); the JDK server reads the switch once
        assertEquals("true", System.getProperty(OpenAiServer.NODELAY));
    }

    @Test
    void aCompletionRunsToMaxTokensAndCountsItsTokens() throws Exception {
        var r = served.post("/v1/completions", """
                {"model": "llama-3-8b/h100-80gb", "prompt": "Say hello to the testbed, please.", "max_tokens": 12,
                 "temperature": 0.7, "top_p": 0.9, "top_k": 40, "seed": 3, "user": "alice"}""");
        assertEquals(200, r.statusCode(), r.body());
        var body = Served.json(r);
        assertEquals("text_completion", body.get("object").asText());
        var choice = body.get("choices").get(0);
        assertEquals("length", choice.get("finish_reason").asText());
        assertEquals(12, body.get("usage").get("completion_tokens").asInt());
        assertEquals(8, body.get("usage").get("prompt_tokens").asInt(), "Say hello to the testbed , please .");
        assertEquals(20, body.get("usage").get("total_tokens").asInt());
        assertEquals(12, new PlaceholderTokens().encode(choice.get("text").asText()).length,
                "each placeholder token reads back as one token");
    }

    @Test
    void aStreamedChatSendsARoleChunkTheTokensAndAUsageChunkBeforeDone() throws Exception {
        var r = served.post("/v1/chat/completions", """
                {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi!"}],
                 "max_tokens": 9, "stream": true, "stream_options": {"include_usage": true}}""");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        var events = Served.events(r.body());
        assertEquals("assistant", events.getFirst().get("choices").get(0).get("delta").get("role").asText());
        var text = new StringBuilder();
        int contentChunks = 0;
        for (var e : events.subList(1, events.size() - 2)) {
            assertEquals("chat.completion.chunk", e.get("object").asText());
            text.append(e.get("choices").get(0).get("delta").get("content").asText());
            contentChunks++;
        }
        assertEquals(9, contentChunks, "one chunk per placeholder token");
        var finish = events.get(events.size() - 2);
        assertEquals("length", finish.get("choices").get(0).get("finish_reason").asText());
        var usage = events.getLast();
        assertEquals(0, usage.get("choices").size());
        assertEquals(9, usage.get("usage").get("completion_tokens").asInt());
        assertEquals(new PlaceholderTokens().encodeChat(java.util.List.of(
                        servelab.kernels.tokenizer.ChatTemplate.Message.system("Be brief."),
                        servelab.kernels.tokenizer.ChatTemplate.Message.user("Hi!"))).length,
                usage.get("usage").get("prompt_tokens").asInt());
    }

    @Test
    void aStopStringEndsTheOutputBeforeIt() throws Exception {
        var r = served.post("/v1/completions", """
                {"prompt": "Count the words.", "max_tokens": 400, "stop": ["."]}""");
        assertEquals(200, r.statusCode(), r.body());
        var body = Served.json(r);
        var choice = body.get("choices").get(0);
        assertEquals("stop", choice.get("finish_reason").asText(), "a '.' comes within 400 placeholder words");
        assertFalse(choice.get("text").asText().contains("."));
        assertTrue(body.get("usage").get("completion_tokens").asInt() < 400);
    }

    @Test
    void modelsHealthAndMetricsAnswerInTheirFormats() throws Exception {
        var models = Served.json(served.get("/v1/models"));
        assertEquals("llama-3-8b/h100-80gb", models.get("data").get(0).get("id").asText());
        assertEquals(200, served.get("/health").statusCode());
        served.post("/v1/completions", "{\"prompt\": \"warm up the metrics\", \"max_tokens\": 3}");
        var metrics = served.get("/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        var text = metrics.body();
        for (var name : new String[] {"vllm:num_requests_running{", "vllm:num_requests_waiting{",
                "vllm:kv_cache_usage_perc{", "vllm:prefix_cache_queries_total{", "vllm:prefix_cache_hits_total{",
                "vllm:time_to_first_token_seconds_bucket{", "vllm:inter_token_latency_seconds_bucket{",
                "vllm:e2e_request_latency_seconds_count{", "vllm:prompt_tokens_total{", "vllm:generation_tokens_total{",
                "vllm:num_preemptions_total{", "servelab:plugin_in_slot{"}) {
            assertTrue(text.contains(name), name + " missing from\n" + text);
        }
        assertTrue(text.contains("kind=\"scheduler\",model_name=\"llama-3-8b/h100-80gb\",plugin=\"fcfs@")
                || text.contains("plugin=\"fcfs@"), text);
    }
}

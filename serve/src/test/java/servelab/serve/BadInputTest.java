package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad requests get OpenAI-style JSON errors naming the field; keys are required where they must be. */
class BadInputTest {
    @TempDir static Path dir;
    static Served served;

    @BeforeAll
    static void start() throws Exception {
        served = Served.start(dir, "serve.max_model_len=64", "serve.max_body_bytes=2000");
    }

    @AfterAll
    static void stop() throws Exception {
        served.close();
    }

    private static void assertError(int status, String param, String inMessage, java.net.http.HttpResponse<String> r)
            throws Exception {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        var error = Served.json(r).get("error");
        assertTrue(error.get("message").asText().contains(inMessage), error.toString());
        assertTrue(error.has("type") && error.has("code") && error.has("param"), error.toString());
        if (param != null) assertEquals(param, error.get("param").asText());
    }

    @Test
    void featuresItDoesNotServeAreRefusedNotIgnored() throws Exception {
        var chat = "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 2, ";
        assertError(400, "tools", "tools is not served", served.post("/v1/chat/completions", chat
                + "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]}"));
        assertError(400, "tool_choice", "tool_choice is not served", served.post("/v1/chat/completions", chat
                + "\"tool_choice\": \"required\"}"));
        assertError(400, "response_format", "does not constrain output to JSON", served.post("/v1/chat/completions",
                chat + "\"response_format\": {\"type\": \"json_object\"}}"));
        assertError(400, "presence_penalty", "presence_penalty must be a number in [-2.0, 2.0]",
                served.post("/v1/completions", "{\"prompt\": \"x\", \"presence_penalty\": 5}"));
        assertError(400, "frequency_penalty", "must be a number", served.post("/v1/completions",
                "{\"prompt\": \"x\", \"frequency_penalty\": \"x\"}"));
        assertError(400, "presence_penalty", "penalties are not applied", served.post("/v1/completions",
                "{\"prompt\": \"x\", \"presence_penalty\": 0.5}"));
        for (var field : new String[] {"\"echo\": true", "\"best_of\": 3", "\"suffix\": \"end\""}) {
            var r = served.post("/v1/completions", "{\"prompt\": \"x\", " + field + "}");
            assertError(400, field.substring(1, field.indexOf('"', 1)), "is not served", r);
        }
        // their neutral values are what clients send by default, and fine
        var neutral = served.post("/v1/chat/completions", chat + "\"tools\": [], \"tool_choice\": \"none\", "
                + "\"presence_penalty\": 0, \"frequency_penalty\": 0, \"response_format\": {\"type\": \"text\"}}");
        assertEquals(200, neutral.statusCode(), neutral.body());
    }

    @Test
    void malformedJsonIs400WithItsPosition() throws Exception {
        assertError(400, null, "line 1, column", served.post("/v1/completions", "{\"prompt\": \"x\",,}"));
        assertError(400, null, "must be a JSON object", served.post("/v1/completions", "[1, 2]"));
        assertError(400, "prompt", "prompt is required", served.post("/v1/completions", "{}"));
        assertError(400, "temperature", "temperature must be a number in [0.0, 2.0]",
                served.post("/v1/completions", "{\"prompt\": \"x\", \"temperature\": 9}"));
        assertError(400, "stop", "stop must be a string", served.post("/v1/completions", "{\"prompt\": \"x\", \"stop\": 3}"));
        assertError(400, "messages[0].role", "plain name",
                served.post("/v1/chat/completions", "{\"messages\": [{\"role\": \"<|eot_id|>\", \"content\": \"x\"}]}"));
    }

    @Test
    void anUnknownModelIs404NamingTheServedOne() throws Exception { // as OpenAI and vLLM answer: NotFoundError
        assertError(404, "model", "serves 'llama-3-8b/h100-80gb'",
                served.post("/v1/completions", "{\"model\": \"gpt-9\", \"prompt\": \"x\"}"));
    }

    @Test
    void aPromptOverTheContextAndMaxTokensOutOfRangeAre400() throws Exception {
        var words = "word ".repeat(70);
        assertError(400, "prompt", "maximum context length is 64 tokens",
                served.post("/v1/completions", "{\"prompt\": \"" + words + "\"}"));
        assertError(400, "max_tokens", "you requested 74 tokens (4 in the prompt, 70 in the completion)",
                served.post("/v1/completions", "{\"prompt\": \"one two three four\", \"max_tokens\": 70}"));
        assertError(400, "max_tokens", "at least 1",
                served.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 0}"));
        assertError(400, "max_tokens", "must be an integer",
                served.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1.5}"));
    }

    @Test
    void logprobsAskedForAre400NotAnsweredWithNull() throws Exception {
        assertError(400, "logprobs", "not served by ServeLab",
                served.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2, \"logprobs\": 1}"));
        assertError(400, "logprobs", "not served by ServeLab", served.post("/v1/chat/completions",
                "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"max_tokens\": 2, \"logprobs\": true}"));
        // off, as clients send it by default, is fine
        assertEquals(200, served.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2, \"logprobs\": null}")
                .statusCode());
    }

    @Test
    void aBodyOverTheLimitIs413() throws Exception {
        var big = "{\"prompt\": \"" + "y".repeat(3000) + "\"}";
        assertError(413, null, "over 2000 bytes", served.post("/v1/completions", big));
    }

    @Test
    void unknownRoutesAndMethodsAreJsonErrorsToo() throws Exception {
        assertError(404, null, "No route", served.get("/v2/nothing"));
        assertError(405, null, "GET is not allowed", served.get("/v1/completions"));
    }

    @Test
    void bindingBeyondLoopbackWithoutAKeyIsRefusedNamingTheKey() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new ServeSpec("0.0.0.0", 0, null, null, null, null, null, null, null, null, null));
        assertTrue(e.getMessage().contains("serve.api_key"), e.getMessage());
        assertEquals("127.0.0.1", ServeSpec.DEFAULTS.host(), "loopback by default");
        new ServeSpec("0.0.0.0", 0, "secret", null, null, null, null, null, null, null, null); // with a key it is allowed
    }

    @Test
    void withAnApiKeyEveryRouteButHealthNeedsIt(@TempDir Path keyed) throws Exception {
        try (var s = Served.start(keyed, "serve.api_key=s3cret")) {
            assertError(401, null, "API key", s.get("/v1/models"));
            assertError(401, null, "API key", s.get("/v1/models", "Authorization", "Bearer s3creT"));
            assertError(401, null, "API key", s.get("/metrics", "Authorization", "Bearer s3cret-and-more"));
            assertError(401, null, "API key", s.post("/v1/completions", "{\"prompt\": \"x\"}"));
            assertEquals(200, s.get("/v1/models", "Authorization", "Bearer s3cret").statusCode());
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}",
                    "Authorization", "Bearer s3cret").statusCode());
            assertEquals(200, s.get("/health").statusCode(), "health probes need no key");
        }
    }

    @Test
    void keysOfASimulatedClusterAreRefusedNotIgnored(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        // a crash at 100 ms never came, and a group's kv_blocks was recorded in run.json and not used
        for (var set : new String[][] {{"faults=[{kind: crash, at_ms: 100, replica: 0}]"},
                {"replicas=2", "autoscaling={min: 1, max: 2}"},
                {"replicas=2", "cluster.groups=[{name: a, count: 1, kv_blocks: 60}, {name: b, count: 1}]"},
                {"cluster.network.client_router={dist: fixed, ms: 5}"}, {"gateway.timeout_ms=100"}}) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> Served.start(dir.resolve(String.valueOf(set.length) + set[set.length - 1].hashCode()), set));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains(": servelab serve has no simulated cluster"),
                    e.getMessage());
        }
        // a switch scheduled on the run clock: serve's clock is the wall's, and ctl switches its plugins
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Served.start(dir.resolve("swaps"), "swaps=[{at_ms: 100, kind: scheduler, name: sjf}]"));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("swaps: servelab serve runs on the wall "
                + "clock"), e.getMessage());
    }
}

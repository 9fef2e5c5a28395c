package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.engine.Replica;
import servelab.runtime.record.RequestRow;
import servelab.runtime.report.RunResults;

/**
 * What a server's end and its refusals leave behind: clients in flight are told the server stopped, every refused
 * request has its row, and the metrics count what vLLM's count.
 */
class StopAndRefusalsTest {

    private static CompletableFuture<HttpResponse<String>> postAsync(Served s, String body) {
        var request = HttpRequest.newBuilder(s.base.resolve("/v1/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return s.http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aStoppingServerTellsItsClientsAndRecordsTheirRequestsAsStoppedNotDisconnected(@TempDir Path dir)
            throws Exception {
        var s = Served.start(dir, "plugins.batcher.params.max_num_seqs=4");
        var answers = new ArrayList<CompletableFuture<HttpResponse<String>>>();
        for (int i = 0; i < 3; i++) answers.add(postAsync(s, "{\"prompt\": \"long " + i + "\", \"max_tokens\": 6000, \"stream\": true}"));
        answers.add(postAsync(s, "{\"prompt\": \"whole\", \"max_tokens\": 6000}"));
        while (s.session.engine().pending() < 4) Thread.sleep(5);
        Thread.sleep(200); // tokens are flowing
        s.close();
        // then: each stream ends with the server's error event and [DONE]; the whole answer is a 503
        for (int i = 0; i < 3; i++) {
            var r = answers.get(i).get();
            var events = Served.events(r.body());
            var error = events.getLast().get("error");
            assertTrue(error.get("message").asText().contains("the server stopped"), r.body());
            assertTrue(error.has("param"), "the error object has OpenAI's four fields: " + error);
        }
        var whole = answers.get(3).get();
        assertEquals(503, whole.statusCode(), whole.body());
        assertTrue(whole.body().contains("the server stopped"), whole.body());
        var errors = RunResults.load(s.runDir).requests().strings("error");
        assertEquals(4, errors.size());
        for (var error : errors) assertEquals(Replica.CANCELLED + "the server stopped", error);
    }

    @Test
    void refusalsHaveRowsAndOnlyRefusalsCountAsRefused(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.max_pending=1")) {
            // one request is in; a second finds no room (a refusal); then the first is cancelled (a 503, not a refusal)
            var first = postAsync(s, "{\"prompt\": \"in\", \"max_tokens\": 6000}");
            while (s.session.engine().pending() < 1) Thread.sleep(5);
            var refused = s.post("/v1/completions", "{\"prompt\": \"no room\", \"max_tokens\": 5}");
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("serve.max_pending"), refused.body());
            s.session.engine().cancel(0, "a test ended it");
            var cancelled = first.get();
            assertEquals(503, cancelled.statusCode(), cancelled.body());
            assertTrue(cancelled.body().contains("a test ended it"), cancelled.body());
            var metrics = s.get("/metrics").body();
            // one 503 refusal, no 429 (both series exist from the start)
            var line = metrics.lines().filter(l -> l.startsWith("servelab:requests_refused_total{")).sorted().toList();
            assertEquals(2, line.size(), metrics);
            assertTrue(line.getFirst().contains("status=\"429\"") && line.getFirst().endsWith(" 0.0"), metrics);
            assertTrue(line.getLast().contains("status=\"503\"") && line.getLast().endsWith(" 1.0"), metrics);
        }
        var rows = RunResults.load(dir.resolve("run")).requests();
        assertEquals(2, rows.rowCount());
        assertEquals(List.of("cancelled", "rejected"), rows.strings("outcome").stream().sorted().toList());
        // and: each row says when its client heard the end (a refusal at its arrival, a cancellation later)
        var outcomes = rows.strings("outcome");
        var arrival = rows.longs("arrival_ns");
        var ended = rows.longs("ended_ns");
        for (int i = 0; i < 2; i++) {
            if (outcomes.get(i).equals("rejected")) assertEquals(arrival[i], ended[i]);
            else assertTrue(ended[i] > arrival[i], "cancelled at " + ended[i] + ", arrived " + arrival[i]);
        }
        var trace = Files.readAllLines(dir.resolve("run/trace.jsonl"));
        assertEquals(2, trace.size(), "the refused request is in the trace a replay re-sends");
    }

    @Test
    void promptTokensCountWholePromptsAsVllmDoesCacheHitsIncluded(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "plugins.prefix-cache.name=hash-block")) {
            var prompt = "the same words again ".repeat(60);
            int promptTokens = 0;
            var cached = new ArrayList<Integer>();
            for (int i = 0; i < 2; i++) {
                var r = s.post("/v1/completions", "{\"prompt\": \"" + prompt + "\", \"max_tokens\": 2}");
                assertEquals(200, r.statusCode(), r.body());
                promptTokens += Served.json(r).get("usage").get("prompt_tokens").asInt();
                cached.add(Served.json(r).get("usage").get("prompt_tokens_details").get("cached_tokens").asInt());
            }
            // usage says what the cache served, as OpenAI's does (servelab load reads it into cached_prefix_tokens)
            assertEquals(0, cached.get(0));
            assertTrue(cached.get(1) > 0, cached.toString());
            var metrics = s.get("/metrics").body();
            var line = metrics.lines().filter(l -> l.startsWith("vllm:prompt_tokens_total{")).findFirst().orElseThrow();
            assertEquals(promptTokens, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)), 1e-9, line);
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("vllm:prefix_cache_hits_total{") && !l.endsWith(" 0.0")),
                    "the second prompt hit the cache");
        }
    }

    @Test
    void theContextLimitIsTheExperimentsAsForARun(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir.resolve("a"), "context.max_model_len=1024")) {
            assertEquals(1024, Served.json(s.get("/v1/models")).get("data").get(0).get("max_model_len").asInt());
            var r = s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2000}");
            assertEquals(400, r.statusCode(), r.body());
        }
        // a profile file that raises the model's limit: honoured, and the model is named by the file, not its path
        var profile = Files.writeString(dir.resolve("long-context.yaml"),
                "base: llama-3-8b/h100-80gb\nserving: {max_model_len: 16384}\n");
        try (var s = Served.start(dir.resolve("p"), "profile=" + profile)) {
            var model = Served.json(s.get("/v1/models")).get("data").get(0);
            assertEquals("long-context", model.get("id").asText());
            assertEquals(16384, model.get("max_model_len").asInt());
        }
        var e = assertThrows(IllegalArgumentException.class, () -> Served.start(dir.resolve("b"), "serve.max_model_len=9000"));
        assertTrue(e.getMessage().contains("serve.max_model_len 9000 is more than this server can take: 8192"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Served.start(dir.resolve("c"), "serve.max_pending=0"));
        assertTrue(e.getMessage().endsWith("serve.max_pending must be > 0, was 0"), e.getMessage());
    }

    @Test
    void wrongMethodsSayWhichOneIsAllowedAndTheBearerSchemeIgnoresCase(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.api_key=sekret")) {
            var r = s.get("/v1/completions", "Authorization", "Bearer sekret");
            assertEquals(405, r.statusCode());
            assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
            assertEquals(200, s.get("/v1/models", "Authorization", "bearer sekret").statusCode());
            assertEquals(401, s.get("/v1/models", "Authorization", "bearer wrong").statusCode());
        }
    }

    @Test
    void responseIdsDifferBetweenServersAndEndWithTheRowsRequestId(@TempDir Path dir) throws Exception {
        var ids = new ArrayList<String>();
        for (var name : List.of("a", "b")) {
            try (var s = Served.start(dir.resolve(name))) {
                var r = s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 1}");
                ids.add(Served.json(r).get("id").asText());
            }
            assertEquals(0L, RunResults.load(dir.resolve(name).resolve("run")).requests().longs("request_id")[0]);
        }
        // then: both first answers are request 0 of their run, and still their ids differ (both were cmpl-0)
        for (var id : ids) assertTrue(id.matches("cmpl-[0-9a-f]{8}-0"), id);
        assertTrue(!ids.get(0).equals(ids.get(1)), ids.toString());
    }

    @Test
    void aRouterThatNamesNoReplicaIsRevertedAsInARun(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "replicas=2")) {
            // given: a router naming replica 7 of 2 goes into the slot, round-robin before it
            var slot = s.session.engine().clusterSlots().router();
            servelab.api.route.Router bad = (request, views) -> 7;
            slot.install(new servelab.runtime.engine.PolicySlot.Installed<>(bad, new servelab.api.PluginDescriptor(
                    servelab.api.PluginKind.ROUTER, "bad", "1.0.0", "names no replica", List.of()), java.util.Map.of(), "test"));
            // when: a request comes
            var r = s.post("/v1/completions", "{\"prompt\": \"x\", \"max_tokens\": 2}");
            assertEquals(200, r.statusCode(), r.body());
            // then: the slot is back on round-robin (it stayed on the bad router, sending everything to replica 0)
            assertEquals("round-robin@1.0.0", slot.current().id());
        }
        var events = RunResults.load(dir.resolve("run")).table(servelab.runtime.record.ResultTable.EVENTS).orElseThrow();
        int faults = 0;
        for (int i = 0; i < events.rowCount(); i++) {
            if (!events.strings("type").get(i).equals("fault")) continue;
            faults++;
            assertEquals("reverted", events.strings("to_value").get(i));
            assertTrue(events.strings("detail").get(i).contains("to replica 7 of 2; back to round-robin@1.0.0"),
                    events.strings("detail").get(i));
        }
        assertEquals(1, faults);
    }

    @Test
    void aRequestRefusedAsTheServerStopsIsRejectedNotFailed(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            s.session.engine().close(); // the server is stopping: the engine takes nothing more
            var refused = s.post("/v1/completions", "{\"prompt\": \"late\", \"max_tokens\": 5}");
            assertEquals(503, refused.statusCode(), refused.body());
            assertTrue(s.get("/metrics").body().contains("servelab:requests_refused_total{model_name=\"llama-3-8b/h100-80gb\","
                    + "status=\"503\"} 1.0"));
        }
        var rows = RunResults.load(dir.resolve("run")).requests();
        assertEquals(List.of("rejected"), rows.strings("outcome"));
        assertEquals(List.of(RequestRow.REJECTED_PREFIX + "serve: the server is shutting down"), rows.strings("error"));
    }
}

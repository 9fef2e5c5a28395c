package servelab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.datasets.ReadOptions;
import servelab.datasets.Traces;
import servelab.runtime.record.Slo;
import servelab.runtime.report.RunResults;

/** {@code servelab load}'s runner against a real HTTP server streaming the OpenAI way. */
@org.junit.jupiter.api.Timeout(120)
class LoadRunnerTest {
    @TempDir Path work;

    /** A Mooncake trace: request i at 40 ms * i, prompts of 8..15 tokens, outputs of 4 tokens; 0 and 1 share a block. */
    private Path trace(int n) throws IOException {
        var lines = new ArrayList<String>();
        for (int i = 0; i < n; i++) {
            String hashes = i < 2 ? "[7]" : "[" + (100 + i) + "]";
            lines.add("{\"timestamp\": " + (40 * i) + ", \"input_length\": " + (8 + i % 8)
                    + ", \"output_length\": 4, \"hash_ids\": " + hashes + "}");
        }
        return Files.write(work.resolve("trace.jsonl"), lines);
    }

    private static LoadRunner runner(OpenAiSseServer server, Endpoint.Api api, boolean stream, int maxConcurrency) {
        var endpoint = new Endpoint(URI.create(server.url() + "/v1/"), api, "tiny-test", Optional.empty());
        return new LoadRunner(endpoint, stream, Duration.ofSeconds(30), maxConcurrency, PromptSource.approximate(),
                Slo.NONE);
    }

    @Test
    void streamsEveryRequestAtItsTimeAndRecordsWhatTheClientSaw() throws Exception {
        try (var server = new OpenAiSseServer(30, 5, 0)) {
            // given: 12 requests 40 ms apart against a server with a 30 ms TTFT and 5 ms between tokens
            var file = trace(12);
            var runDir = work.resolve("run");
            // when
            var result = runner(server, Endpoint.Api.COMPLETIONS, true, 0)
                    .run(Traces.stream(file, ReadOptions.DEFAULT), runDir, Map.of("kind", "load"));
            // then: every request went out as OpenAI clients send it, with the trace's lengths
            assertEquals(12, result.sent());
            assertEquals(0, result.failed());
            assertEquals(12, server.received.size());
            for (var r : server.received) {
                assertEquals(4, r.maxTokens());
                assertTrue(r.stream() && r.ignoreEos(), "stream and ignore_eos");
            }
            var prompts = server.received.stream().map(OpenAiSseServer.Received::prompt).toList();
            var lengths = prompts.stream().map(p -> p.strip().split(" +").length).sorted().toList();
            var expected = new ArrayList<Integer>();
            for (int i = 0; i < 12; i++) expected.add(8 + i % 8);
            assertEquals(expected.stream().sorted().toList(), lengths, "one word per token of the trace");
            // open loop: sends follow the trace's 40 ms gaps, not the answers (each answer takes ~45 ms)
            long first = server.received.stream().mapToLong(OpenAiSseServer.Received::atNanos).min().orElseThrow();
            long last = server.received.stream().mapToLong(OpenAiSseServer.Received::atNanos).max().orElseThrow();
            assertTrue(Math.abs((last - first) / 1e6 - 440) < 150, "11 gaps of 40 ms, took " + (last - first) / 1e6);
            // and: the run folder a simulated run has, with the client's times
            var run = RunResults.load(runDir);
            var requests = run.requests();
            assertEquals(12, requests.rowCount());
            for (double ttft : requests.doubles("ttft_ms")) assertTrue(ttft >= 29 && ttft < 500, "TTFT " + ttft);
            // the server paces tokens 5 ms apart; a client thread scheduled late on a busy machine reads two lines
            // at once (a gap near 0 and a longer one), so single gaps are not bounded below, their median is
            var gaps = new ArrayList<Double>();
            for (var itl : requests.doubleLists("itl_ms")) {
                assertEquals(3, itl.length);
                for (double gap : itl) gaps.add(gap);
            }
            gaps.sort(null);
            assertTrue(gaps.get(gaps.size() / 2) >= 3 && gaps.getLast() < 300, "ITLs " + gaps);
            double[] ttfts = requests.doubles("ttft_ms");
            double[] e2els = requests.doubles("e2el_ms");
            for (int i = 0; i < 12; i++) assertTrue(e2els[i] >= 30 + 3 * 5, "E2EL " + e2els[i] + " after TTFT " + ttfts[i]);
            for (long out : requests.longs("output_tokens")) assertEquals(4, out);
            assertTrue(Files.exists(runDir.resolve("summary.json")) && Files.exists(runDir.resolve("run.json")));
            assertEquals("load", run.runInfo().get("kind"));
        }
    }

    @Test
    void requestsSharingAPrefixBlockShareItsWords() throws Exception {
        var prompts = PromptSource.approximate();
        var blocks = servelab.datasets.Traces.readAll(trace(3), ReadOptions.DEFAULT);
        // request 0 and 1 share hash id 7 (one 512-token block, longer than both prompts): the shorter is a prefix
        String p0 = prompts.prompt(blocks.get(0));
        String p1 = prompts.prompt(blocks.get(1));
        String p2 = prompts.prompt(blocks.get(2));
        assertTrue(p1.startsWith(p0), "shared block, shared words");
        assertTrue(!p2.startsWith(p0.substring(0, 20)), "other blocks, other words");
        assertEquals(p0, prompts.prompt(blocks.get(0)), "the same request always gets the same prompt");
    }

    @Test
    void refusedRequestsAreRecordedAsRejectedWithTheServersAnswer() throws Exception {
        try (var server = new OpenAiSseServer(5, 1, 3)) {
            var runDir = work.resolve("refused");
            var result = runner(server, Endpoint.Api.CHAT, true, 0)
                    .run(Traces.stream(trace(9), ReadOptions.DEFAULT), runDir, Map.of());
            assertEquals(9, result.sent());
            assertEquals(3, result.failed());
            var errors = RunResults.load(runDir).requests().strings("error");
            assertEquals(3, errors.stream().filter(e -> e.startsWith("rejected by admission HTTP 429: ")
                    && e.contains("too many requests")).count(), errors.toString());
            // summary.json has the outcome keys, as a run with the outcome column does: a 429 is the server refusing
            // before any service, rejected as the server's own row has it (the client counted it failed)
            var summary = servelab.runtime.record.Json.MAPPER.readTree(runDir.resolve("summary.json").toFile());
            assertEquals(6, summary.get("outcome_completed").asInt(), summary.toString());
            assertEquals(3, summary.get("outcome_rejected").asInt(), summary.toString());
            assertEquals(0, summary.path("outcome_failed").asInt(), summary.toString());
            // what a client cannot know is null, not 0
            assertTrue(summary.get("wasted_tokens").isNull() && summary.get("wasted_token_fraction").isNull(), summary.toString());
        }
    }

    @Test
    void maxConcurrencyBoundsTheOpenRequests() throws Exception {
        try (var server = new OpenAiSseServer(100, 1, 0)) {
            // 12 requests 40 ms apart, each open ~100 ms: unbounded, about three overlap; with the bound only two
            var result = runner(server, Endpoint.Api.COMPLETIONS, true, 2)
                    .run(Traces.stream(trace(12), ReadOptions.DEFAULT), work.resolve("bounded"), Map.of());
            assertEquals(0, result.failed());
            assertTrue(server.maxOpen.get() <= 2, "open at once: " + server.maxOpen.get());
        }
    }

    @Test
    void nonStreamingRequestsHaveTheWholeLatencyAsTtft() throws Exception {
        try (var server = new OpenAiSseServer(20, 2, 0)) {
            var runDir = work.resolve("whole");
            runner(server, Endpoint.Api.COMPLETIONS, false, 0)
                    .run(Traces.stream(trace(3), ReadOptions.DEFAULT), runDir, Map.of());
            var requests = RunResults.load(runDir).requests();
            double[] ttft = requests.doubles("ttft_ms");
            double[] e2el = requests.doubles("e2el_ms");
            for (int i = 0; i < 3; i++) assertEquals(e2el[i], ttft[i], 1e-9);
            for (long out : requests.longs("output_tokens")) assertEquals(4, out, "from the usage object");
            // and no ITL is made up: the tokens' times are not known (they were all the completion's, ITL 0.0)
            for (boolean none : requests.nulls("itl_ms")) assertTrue(none);
            for (boolean none : requests.nulls("token_times_ns")) assertTrue(none);
        }
    }

    @Test
    void theFirstListedModelIsUsedWhenNoneIsGiven() throws Exception {
        try (var server = new OpenAiSseServer(1, 1, 0)) {
            var endpoint = new Endpoint(URI.create(server.url()), Endpoint.Api.COMPLETIONS, "", Optional.empty());
            assertEquals("tiny-test", LoadRunner.firstModel(endpoint, Duration.ofSeconds(5)));
        }
        // and nobody there: the URL and what to do, not "ConnectException: ClosedChannelException"
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        var nobody = new Endpoint(URI.create("http://127.0.0.1:" + closed), Endpoint.Api.COMPLETIONS, "", Optional.empty());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> LoadRunner.firstModel(nobody, Duration.ofSeconds(2)));
        assertEquals("cannot connect to http://127.0.0.1:" + closed + "/v1/models (no server listening there?) to ask "
                + "for its model; give --model to skip the question", e.getMessage());
    }

    @Test
    void theLoadCommandIsPartOfServelab() throws Exception {
        try (var server = new OpenAiSseServer(1, 1, 0)) {
            var out = new java.io.StringWriter();
            var cli = servelab.runtime.cli.Main.commandLine();
            cli.setOut(new java.io.PrintWriter(out));
            int rc = cli.execute("load", "--target", server.url(), trace(4).toString(), "--time-scale", "0.5",
                    "--out", work.resolve("cli").toString());
            assertEquals(0, rc, out.toString());
            assertTrue(out.toString().contains("Sent 4 requests"), out.toString());
            assertEquals("tiny-test", RunResults.load(work.resolve("cli")).runInfo().get("model"));
        }
    }

    @Test
    void requestsToAServerThatIsGoneSaySoNotConnectExceptionNull() throws Exception {
        int closed;
        try (var socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        var endpoint = new Endpoint(URI.create("http://127.0.0.1:" + closed + "/v1/"), Endpoint.Api.COMPLETIONS,
                "tiny-test", Optional.empty());
        var runDir = work.resolve("gone");
        new LoadRunner(endpoint, true, Duration.ofSeconds(5), 0, PromptSource.approximate(), Slo.NONE)
                .run(Traces.stream(trace(2), ReadOptions.DEFAULT), runDir, Map.of());
        for (var error : RunResults.load(runDir).requests().strings("error")) {
            assertEquals("cannot connect to http://127.0.0.1:" + closed + " (is the server still running?)", error);
        }
    }

    @Test
    void theRateIsThatOfTheRequestsSentAsInARun() throws Exception {
        // given: three requests 10 ms apart, then three a second apart (the whole file: about 1.5 req/s)
        var lines = new ArrayList<String>();
        for (int t : new int[] {0, 10, 20, 1020, 2020, 3020}) {
            lines.add("{\"timestamp\": " + t + ", \"input_length\": 8, \"output_length\": 2}");
        }
        var file = Files.write(work.resolve("bursty.jsonl"), lines);
        try (var server = new OpenAiSseServer(1, 1, 0)) {
            var cli = servelab.runtime.cli.Main.commandLine();
            int rc = cli.execute("load", "--target", server.url(), file.toString(), "--num-requests", "3", "--rate", "20",
                    "--out", work.resolve("rate").toString());
            assertEquals(0, rc);
        }
        // then: the three sent span about 2/20 s, as `run` with first: 3 and target_rate: 20 replays them (the rate
        // was taken over the whole file first: 20 / 1.5 times faster, the three sent within a few ms)
        long[] arrivals = RunResults.load(work.resolve("rate")).requests().longs("arrival_ns");
        long span = java.util.Arrays.stream(arrivals).max().orElseThrow() - java.util.Arrays.stream(arrivals).min().orElseThrow();
        assertTrue(span > 60_000_000L && span < 400_000_000L, "span " + span / 1e6 + " ms");
    }

    @Test
    void badOptionValuesAreUsageErrorsFoundBeforeAnythingIsSent() throws Exception {
        // each exited 1 (and --target's port 99999 was taken, the run failing request by request)
        // and --time-scale with --rate: the rate was --rate's whatever --time-scale did
        for (var args : List.of(new String[] {"--rate=0"}, new String[] {"--time-scale=0"}, new String[] {"--num-requests=0"},
                new String[] {"--time-scale=0.5", "--rate=3"},
                new String[] {"--target", "http://127.0.0.1:99999"}, new String[] {"--target", "notaurl"})) {
            var all = new java.util.ArrayList<>(List.of("load", trace(2).toString(), "--out", work.resolve("bad").toString()));
            if (!args[0].equals("--target")) all.addAll(List.of("--target", "http://127.0.0.1:9"));
            all.addAll(List.of(args));
            var err = new java.io.StringWriter();
            var cli = servelab.runtime.cli.Main.commandLine();
            cli.setErr(new java.io.PrintWriter(err));
            assertEquals(2, cli.execute(all.toArray(String[]::new)), String.join(" ", args) + ": " + err);
            assertTrue(!java.nio.file.Files.exists(work.resolve("bad")), "nothing written");
        }
    }

    static List<String> lines(String s) {
        return s.lines().toList();
    }

    @Test
    void aLoadStoppedPartWayKeepsItsRunJson() throws Exception {
        try (var server = new OpenAiSseServer(5, 1, 0)) {
            // given: a trace that breaks after its third request (as a Ctrl-C stops a load part way)
            var file = trace(6);
            var runDir = work.resolve("cut");
            var requests = Traces.stream(file, ReadOptions.DEFAULT).map(r -> {
                if (r.id() == 3) throw new IllegalStateException("stopped");
                return r;
            });
            // when
            org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> runner(server,
                    Endpoint.Api.COMPLETIONS, true, 0).run(requests, runDir, Map.of("kind", "load", "target", "x")));
            // then: run.json says what the load was (it was written only at the end, so a stopped load had none)
            var info = servelab.runtime.record.Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
            assertEquals("x", info.get("target").asText());
        }
    }
}

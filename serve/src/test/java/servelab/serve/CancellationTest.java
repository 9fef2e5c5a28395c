package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.engine.Replica;
import servelab.runtime.report.RunResults;

/** A client that leaves mid-stream cancels its request and frees its KV; a slow reader cannot stall the engine. */
class CancellationTest {

    private static void send(OutputStream out, String body) throws Exception {
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void aClientThatDisconnectsMidStreamIsCancelledAndItsBlocksFreed(@TempDir Path dir) throws Exception {
        long started;
        try (var s = Served.start(dir)) {
            try (var socket = new Socket("127.0.0.1", s.session.port())) {
                send(socket.getOutputStream(), "{\"prompt\": \"" + "many words ".repeat(200)
                        + "\", \"max_tokens\": 5000, \"stream\": true}");
                var in = socket.getInputStream();
                var seen = new StringBuilder();
                while (!seen.toString().contains("\"text\"")) seen.append((char) in.read()); // a token arrived
            }
            started = System.nanoTime();
            var engine = s.session.engine();
            while (engine.pending() > 0) {
                assertTrue(System.nanoTime() - started < 20_000_000_000L, "the request was not cancelled");
                Thread.sleep(5);
            }
            assertTrue(s.get("/metrics").body().contains("servelab:requests_cancelled_total{model_name=\"llama-3-8b/h100-80gb\"} 1"));
        }
        var requests = RunResults.load(dir.resolve("run")).requests();
        assertEquals(List.of(Replica.CANCELLED + "the client disconnected"), requests.strings("error"));
        long output = requests.longs("output_tokens")[0];
        assertTrue(output > 0 && output < 5000, "cancelled after " + output + " of 5000 tokens");
    }

    @Test
    void aClientWaitingForItsWholeAnswerIsNoSlowReader(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.stream_buffer=8")) {
            var engine = s.session.engine();
            // given: a non-streamed request whose stream nobody reads until it ended (as a busy front's thread)
            var whole = (LiveEngine.Accepted) engine.submit(new LiveEngine.Ask(new int[] {1, 2, 3}, 200, "whole",
                    List.of(), true, java.util.Map.of(), servelab.runtime.exec.RequestSampling.Choice.RUN, false));
            long t0 = System.nanoTime();
            while (engine.pending() > 0) {
                assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "the request did not end");
                Thread.sleep(5);
            }
            // then: all 200 tokens, no cancellation (it was cancelled as "the client read too slowly")
            TokenStream.Event last = null;
            int tokens = 0;
            for (TokenStream.Event e; (e = whole.stream().take(0)) != null; last = e) {
                if (e instanceof TokenStream.Delta d) tokens += d.tokens();
            }
            var end = (TokenStream.End) last;
            assertEquals("", end.row().error());
            assertEquals(200, end.row().outputTokens());
            assertEquals(200, tokens);
        }
    }

    @Test
    void aClientThatReadsNothingIsCutOffWhileOthersAreServed(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.stream_buffer=8")) {
            var engine = s.session.engine();
            var slow = (LiveEngine.Accepted) engine.submit(new LiveEngine.Ask(new int[] {1, 2, 3}, 2000, "slow",
                    List.of(), false, java.util.Map.of(), servelab.runtime.exec.RequestSampling.Choice.RUN, true)); // never read
            var r = s.post("/v1/completions", "{\"prompt\": \"meanwhile\", \"max_tokens\": 30}");
            assertEquals(200, r.statusCode());
            assertEquals(30, Served.json(r).get("usage").get("completion_tokens").asInt());
            long t0 = System.nanoTime();
            while (engine.pending() > 0) {
                assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "the slow stream was not cut off");
                Thread.sleep(5);
            }
            TokenStream.Event last = null;
            for (TokenStream.Event e; (e = slow.stream().take(0)) != null; ) last = e;
            var end = (TokenStream.End) last;
            assertTrue(end.row().error().contains("read too slowly"), end.row().error());
            assertTrue(end.row().outputTokens() < 2000);
        }
    }
}

package servelab.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/** What the client records when a server misbehaves after its headers, answers whole without usage, or reasons. */
@org.junit.jupiter.api.Timeout(60)
class LoadEdgesTest {
    private interface Handler {
        void handle(HttpExchange exchange) throws Exception;
    }

    private static HttpServer server(Handler handler) throws IOException {
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            try {
                exchange.getRequestBody().readAllBytes();
                handler.handle(exchange);
            } catch (Exception e) {
                // the client went away
            } finally {
                exchange.close();
            }
        });
        server.start();
        return server;
    }

    private static Endpoint endpoint(HttpServer server) {
        return new Endpoint(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/"),
                Endpoint.Api.COMPLETIONS, "m", Optional.empty());
    }

    @Test
    void aStreamThatStallsAfterItsHeadersEndsAtTheTimeout() throws Exception {
        // the HTTP client's own timeout stops at the headers: this request, and the whole run, waited forever
        var server = server(exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            var out = exchange.getResponseBody();
            out.write("data: {\"choices\": [{\"text\": \"a\"}]}\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            Thread.sleep(60_000);
        });
        try {
            long t0 = System.nanoTime();
            var ex = new RequestClient(endpoint(server), true, Duration.ofMillis(800)).send("hi", 4);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(ex.error.startsWith("timed out: no whole answer within --timeout (0.8 s)"), ex.error);
            assertTrue(seconds < 10, seconds + " s");
            assertEquals(false, Thread.currentThread().isInterrupted(), "the deadline's interrupt does not leak");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aWholeAnswerWithoutUsageCountsAsOneToken() throws Exception {
        var server = server(exchange -> {
            byte[] body = "{\"choices\": [{\"text\": \"0123456789\"}]}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        });
        try {
            var ex = new RequestClient(endpoint(server), false, Duration.ofSeconds(10)).send("hi", 4);
            assertEquals("", ex.error);
            assertEquals(1, ex.outputTokens(), "it was 0: completed, yet out of the TTFT statistics");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void reasoningChunksAreTokensAndAModelsQuestionUnansweredSaysSo() throws Exception {
        var chunk = new StreamParser().line("data: {\"choices\": [{\"delta\": {\"reasoning_content\": \"think\"}}]}");
        assertEquals("think", ((StreamParser.Event.Chunk) chunk).text());
        // a server that accepts and never answers GET /v1/models: "request timed out" named neither URL nor --model
        var server = server(exchange -> Thread.sleep(60_000));
        try {
            var e = assertThrows(IOException.class,
                    () -> RequestClient.firstModel(endpoint(server), Duration.ofMillis(500)));
            assertTrue(e.getMessage().contains("/v1/models got no answer within --timeout (0.5 s)")
                    && e.getMessage().contains("give --model"), e.getMessage());
        } finally {
            server.stop(0);
        }
    }
}

package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import servelab.runtime.engine.Replica;
import servelab.runtime.exec.RequestSampling;
import servelab.runtime.report.RunResults;

/** A streamed answer's client that stops reading is cut off at {@code serve.write_timeout_s}, not held forever. */
class DeadlineOutputTest {

    private record Ended(Throwable error, long bytes, boolean interrupted) {}

    @Test
    void aWriteToAClientThatReadsNothingEndsAtTheDeadlineAndClosesTheConnection() throws Exception {
        var ended = new CompletableFuture<Ended>();
        var http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, 0);
                var out = new DeadlineOutput(exchange.getResponseBody(), 1);
                long bytes = 0;
                try {
                    while (bytes < 1L << 30) { // a GiB: far more than the sockets' buffers hold
                        out.write(new byte[1000]);
                        out.flush();
                        bytes += 1000;
                    }
                    ended.complete(new Ended(null, bytes, Thread.currentThread().isInterrupted()));
                } catch (IOException e) {
                    ended.complete(new Ended(e, bytes, Thread.currentThread().isInterrupted()));
                }
            }
        });
        http.start();
        try (var client = new Socket("127.0.0.1", http.getAddress().getPort())) {
            client.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // when: the client reads nothing; then: the write ends (it blocked for as long as the connection lived)
            var end = ended.get(30, TimeUnit.SECONDS);
            assertInstanceOf(DeadlineOutput.Stalled.class, end.error());
            assertEquals("the client read nothing for 1 s (serve.write_timeout_s)", end.error().getMessage());
            assertTrue(end.bytes() > 0 && end.bytes() < 1L << 30, end.bytes() + " bytes");
            assertFalse(end.interrupted(), "the handler's thread was left interrupted");
            // and the connection is closed: what was sent is read, then the end of the stream
            client.setSoTimeout(10_000);
            var in = client.getInputStream();
            var buffer = new byte[1 << 16];
            try {
                while (in.read(buffer) >= 0) { }
            } catch (java.net.SocketException reset) { } // a reset is a close too
        } finally {
            http.stop(0);
        }
    }

    @Test
    void aWriteThatKeepsGoingIsNotCutOff() throws Exception {
        var sink = new java.io.ByteArrayOutputStream();
        var out = new DeadlineOutput(sink, 1);
        for (int i = 0; i < 30; i++) {
            out.write(new byte[] {1, 2, 3});
            out.flush();
            Thread.sleep(50); // 1.5 s in all, no write near the deadline
        }
        assertEquals(90, sink.size());
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void aStreamCutOffAtTheDeadlineCancelsItsRequestWithThatReason(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir, "serve.write_timeout_s=1")) {
            var engine = s.session.engine();
            var request = CompletionRequest.parse("{\"prompt\": \"a b c\", \"max_tokens\": 5000, \"stream\": true}"
                    .getBytes(StandardCharsets.UTF_8), false, new PlaceholderTokens(), 8192, null);
            var accepted = (LiveEngine.Accepted) engine.submit(new LiveEngine.Ask(request.promptIds(), 5000, "stalled",
                    List.of(), true, Map.of(), RequestSampling.Choice.RUN, true));
            // a client whose socket stopped taking bytes: the write blocks until interrupted
            var stalled = new OutputStream() {
                @Override public void write(int b) throws IOException { write(new byte[] {(byte) b}, 0, 1); }

                @Override public void write(byte[] b, int off, int len) throws IOException {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        throw new InterruptedIOException("interrupted");
                    }
                }
            };
            new Completions(engine, "m", false, request, accepted).streamTo(new DeadlineOutput(stalled, 1));
            long t0 = System.nanoTime();
            while (engine.pending() > 0) {
                assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "the stalled request was not cancelled");
                Thread.sleep(5);
            }
        }
        var errors = RunResults.load(dir.resolve("run")).requests().strings("error");
        assertEquals(List.of(Replica.CANCELLED + "the client read nothing for 1 s (serve.write_timeout_s)"), errors);
    }
}

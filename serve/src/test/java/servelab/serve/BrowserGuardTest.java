package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/** A web page cannot drive or read a server on this machine; clients can, as before. */
class BrowserGuardTest {

    /** The status line of a raw HTTP/1.1 exchange (so that Host is what the test says). */
    private static String raw(int port, String request) throws IOException {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            var answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.UTF_8);
            return answer;
        }
    }

    @Test
    void aCrossOriginPostOrARebindingHostIsRefusedAndNothingIsRecorded(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            int port = s.base.getPort();
            String body = "{\"prompt\": \"x\", \"max_tokens\": 2}";
            // a page's no-cors fetch: text/plain, its own Origin (it was served, and recorded in the run)
            var page = s.post("/v1/completions", body, "Origin", "http://evil.example", "Content-Type", "text/plain");
            assertEquals(403, page.statusCode(), page.body());
            assertTrue(page.body().contains("cross-origin requests are refused"), page.body());
            // DNS rebinding: a name that resolves to 127.0.0.1, sent as the Host (it read /v1/models and /metrics)
            assertEquals("HTTP/1.1 403", raw(port, "GET /v1/models HTTP/1.1\r\nHost: rebind.evil.example:" + port
                    + "\r\nConnection: close\r\n\r\n"));
            assertEquals("HTTP/1.1 400", raw(port, "GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n"));
            // clients as before: no Origin, or the server's own; this machine's names
            assertEquals(200, s.post("/v1/completions", body).statusCode());
            assertEquals(200, s.post("/v1/completions", body, "Origin", "http://127.0.0.1:" + port).statusCode());
            assertEquals("HTTP/1.1 200", raw(port, "GET /v1/models HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nConnection: close\r\n\r\n"));
            assertEquals("HTTP/1.1 200", raw(port, "GET /v1/models HTTP/1.1\r\nHost: [::1]:" + port
                    + "\r\nConnection: close\r\n\r\n"));
            // this machine's other names and loopback literals (the printed URL with the machine's name was 403)
            var hosts = new java.util.ArrayList<>(List.of("localhost.", "127.1", "[::ffff:127.0.0.1]", "LOCALHOST"));
            try {
                hosts.add(java.net.InetAddress.getLocalHost().getHostName());
            } catch (java.net.UnknownHostException noName) {
                // a machine whose name does not resolve: the literals remain
            }
            for (var host : hosts) {
                assertEquals("HTTP/1.1 200", raw(port, "GET /v1/models HTTP/1.1\r\nHost: " + host + ":" + port
                        + "\r\nConnection: close\r\n\r\n"), host);
            }
            // a page on another port of this machine is another origin; behind a proxy (Host without a port) the
            // page's own scheme and host are what can be compared
            assertEquals(403, s.post("/v1/completions", body, "Origin", "http://localhost").statusCode());
            assertEquals("HTTP/1.1 200", raw(port, "GET /v1/models HTTP/1.1\r\nHost: localhost\r\nOrigin: "
                    + "https://localhost\r\nConnection: close\r\n\r\n"));
        }
        assertEquals(2, RunResults.load(dir.resolve("run")).requests().rowCount());
    }

    @Test
    void healthAnswersHeadAsProbesAsk(@TempDir Path dir) throws Exception {
        try (var s = Served.start(dir)) {
            int port = s.base.getPort();
            // it was 405, and its error body's length logged a JDK warning on the server's console
            assertEquals("HTTP/1.1 200", raw(port, "HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
            assertEquals("HTTP/1.1 405", raw(port, "HEAD /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        }
    }

    @Test
    void hostNamesAndTheServersLimitsAreAsIntended(@TempDir Path dir) throws Exception {
        assertEquals("::1", BrowserGuard.hostName("[::1]:8000"));
        assertEquals("localhost", BrowserGuard.hostName("LocalHost:8000"));
        assertEquals("127.0.0.1", BrowserGuard.hostName("127.0.0.1"));
        try (var s = Served.start(dir)) {
            assertTrue(s.base.getPort() > 0);
            // a half-sent request is dropped after a bound (it was held forever: 20,000 of them stopped the server)
            assertEquals(Integer.toString(OpenAiServer.REQUEST_TIME_S), System.getProperty("sun.net.httpserver.maxReqTime"));
            // short of the file descriptors, at most 16,384 (4 x max_pending let 4,096 idle sockets lock everyone out)
            int cap = Integer.parseInt(System.getProperty("jdk.httpserver.maxConnections"));
            assertEquals(OpenAiServer.connectionCap(), cap);
            assertTrue(cap >= 64 && cap <= 16_384, "cap " + cap);
            assertEquals(System.getProperty("jdk.httpserver.maxConnections"),
                    System.getProperty("sun.net.httpserver.maxIdleConnections"), "no idle connection closed unsaid");
        }
    }
}

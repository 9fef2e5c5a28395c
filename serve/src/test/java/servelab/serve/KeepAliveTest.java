package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/**
 * A client pool of more than 200 keep-alive connections: the JDK's server kept 200 idle and closed the others
 * without {@code Connection: close}, so the next request on each of those was lost (no answer, no row).
 */
class KeepAliveTest {
    private static final int CONNECTIONS = 260;

    @Test
    void everyIdleKeepAliveConnectionOfALargePoolTakesItsNextRequest(@TempDir Path dir) throws Exception {
        var sockets = new ArrayList<Socket>();
        try (var s = Served.start(dir)) {
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    var socket = new Socket("127.0.0.1", s.session.port());
                    socket.setSoTimeout(60_000);
                    sockets.add(socket);
                    send(socket);
                }
                for (var socket : sockets) read(socket); // answered together: one batch of steps
                Thread.sleep(200); // every connection idle at once
                for (var socket : sockets) send(socket);
                for (var socket : sockets) read(socket);
            } finally {
                for (var socket : sockets) socket.close();
            }
        }
        assertEquals(2 * CONNECTIONS, RunResults.load(dir.resolve("run")).requests().rowCount());
    }

    /** One request on {@code socket}, kept alive. */
    private static void send(Socket socket) throws Exception {
        var body = "{\"prompt\": \"hi\", \"max_tokens\": 1}".getBytes(StandardCharsets.UTF_8);
        var out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
    }

    /** The whole answer to the request sent on {@code socket}. */
    private static void read(Socket socket) throws Exception {
        var in = socket.getInputStream();
        var headers = new StringBuilder();
        while (!headers.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            assertTrue(c >= 0, "the server closed the connection without answering");
            headers.append((char) c);
        }
        assertTrue(headers.toString().startsWith("HTTP/1.1 200"), headers.toString());
        var length = headers.toString().lines().filter(l -> l.toLowerCase().startsWith("content-length:")).findFirst()
                .map(l -> Integer.parseInt(l.substring(15).strip())).orElseThrow(() -> new AssertionError(headers));
        assertEquals(length, in.readNBytes(length).length);
    }
}

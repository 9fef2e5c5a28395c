package servelab.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The control port's framing, limits and key, with a command table that echoes: what is under test is what stands
 * between a socket and the registry (the registry's commands are exercised by MidRunSwapTest through a real run).
 */
class ControlServerTest {
    private static final String KEY = "0123456789abcdef-key";

    private static ControlServer echo(ControlOptions options) {
        return new ControlServer(line -> "echo " + line, options);
    }

    private static ControlOptions loopback(Duration timeout) {
        return new ControlOptions(InetAddress.getLoopbackAddress(), 0, Optional.empty(), 64 * 1024, timeout);
    }

    /** Sends the lines, then reads the reply until the server closes the connection. */
    private static List<String> exchange(int port, String... lines) throws IOException {
        try (var s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            var out = s.getOutputStream();
            for (var line : lines) out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            var reply = new ArrayList<String>();
            for (String l; (l = in.readLine()) != null; ) reply.add(l);
            return reply;
        }
    }

    @Test
    void aParameterGivenTwiceIsRefusedNotOverwritten() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new ControlCommands(null).handle("switch scheduler sjf key=prompt key=oracle"));
        assertEquals("parameter 'key' is given twice", e.getMessage());
    }

    @Test
    void answersACommandThenOk() throws IOException {
        try (var server = echo(ControlOptions.loopback())) {
            assertEquals(List.of("echo slots", "ok"), exchange(server.port(), "slots"));
        }
    }

    @Test
    void aSilentClientDoesNotBlockOthersAndIsDroppedAfterTheTimeout() throws IOException {
        try (var server = echo(loopback(Duration.ofSeconds(2)));
             var silent = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            // given: a client that connected and never sends a newline
            silent.getOutputStream().write("slo".getBytes(StandardCharsets.UTF_8));
            silent.getOutputStream().flush();
            // when: another client asks meanwhile, it is answered at once (before the old code's single thread
            // would have read the silent client's line)
            long t0 = System.nanoTime();
            assertEquals(List.of("echo plugins", "ok"), exchange(server.port(), "plugins"));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(2).toNanos(), "answered before the timeout");
            // then: the silent one is told why and closed once its time is up
            silent.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(silent.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("error: no complete command within 2000 ms", in.readLine());
            assertEquals(null, in.readLine());
        }
    }

    @Test
    void aHugeLineIsCutOffAtTheLimitNotBuffered() throws Exception {
        try (var server = echo(ControlOptions.loopback());
             var flood = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            // when: a client sends up to 400 MiB without a newline
            long sent = 0;
            var chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            OutputStream out = flood.getOutputStream();
            IOException stopped = null;
            try {
                for (; sent < 400L << 20; sent += chunk.length) out.write(chunk);
            } catch (IOException e) {
                stopped = e;
            }
            // then: the server closed the connection after the limit: the writes fail long before 400 MiB (what is
            // sent beyond 64 KiB only fills the kernel's socket buffers)
            assertTrue(stopped != null, "the server kept reading a line of 400 MiB");
            assertTrue(sent < 64L << 20, "the server read " + sent + " bytes of one line");
            // and the port still answers others
            assertEquals(List.of("echo slots", "ok"), exchange(server.port(), "slots"));
        }
    }

    @Test
    void aLineOverTheLimitIsAnsweredWithTheLimit() throws IOException {
        var small = new ControlOptions(InetAddress.getLoopbackAddress(), 0, Optional.empty(), 16, Duration.ofSeconds(5));
        try (var server = echo(small)) {
            assertEquals(List.of("echo 0123456789abcdef", "ok"), exchange(server.port(), "0123456789abcdef"));
            assertEquals(List.of("error: line over 16 bytes; control commands are short"),
                    exchange(server.port(), "0123456789abcdefg"));
        }
    }

    @Test
    void withAKeyTheFirstLineMustAuthenticate() throws IOException {
        var keyed = new ControlOptions(InetAddress.getLoopbackAddress(), 0, Optional.of(KEY), 64 * 1024,
                Duration.ofSeconds(5));
        try (var server = echo(keyed)) {
            assertEquals(List.of("echo slots", "ok"), exchange(server.port(), "auth " + KEY, "slots"));
            var refused = List.of("error: unauthorized: the first line must be 'auth KEY' with the port's API key");
            assertEquals(refused, exchange(server.port(), "slots"));
            assertEquals(refused, exchange(server.port(), "auth " + KEY.substring(1), "slots"));
            assertEquals(refused, exchange(server.port(), "auth " + KEY + "x", "slots"));
        }
    }

    @Test
    void bindingBeyondLoopbackRequiresAKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> ControlOptions.fromEnvironment(
                Map.of(ControlOptions.BIND_ENV, "0.0.0.0:0")));
        assertTrue(e.getMessage().contains("0.0.0.0, beyond loopback: set SERVELAB_CONTROL_KEY"), e.getMessage());
        var shortKey = assertThrows(IllegalArgumentException.class, () -> ControlOptions.fromEnvironment(
                Map.of(ControlOptions.BIND_ENV, "0.0.0.0", ControlOptions.KEY_ENV, "short")));
        assertTrue(shortKey.getMessage().contains("shorter than 16"), shortKey.getMessage());
        var ok = ControlOptions.fromEnvironment(Map.of(ControlOptions.BIND_ENV, "0.0.0.0:0", ControlOptions.KEY_ENV, KEY));
        assertEquals("0.0.0.0", ok.bind().getHostAddress());
        assertTrue(ControlOptions.fromEnvironment(Map.of()).bind().isLoopbackAddress(), "loopback by default");
        assertThrows(IllegalArgumentException.class, () -> ControlOptions.fromEnvironment(
                Map.of(ControlOptions.BIND_ENV, "localhost:http")));
    }

    @Test
    void aKeyedPortBeyondLoopbackServesAnAuthenticatedClient() throws IOException {
        var options = ControlOptions.fromEnvironment(Map.of(ControlOptions.BIND_ENV, "0.0.0.0",
                ControlOptions.KEY_ENV, KEY));
        try (var server = echo(options)) {
            assertEquals(List.of("echo plugins", "ok"), exchange(server.port(), "auth " + KEY, "plugins"));
        }
    }
}

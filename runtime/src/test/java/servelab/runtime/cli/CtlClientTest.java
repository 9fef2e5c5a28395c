package servelab.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code servelab ctl} against whatever answers on a run's port: it reads a bounded reply, in bounded time. */
class CtlClientTest {
    @TempDir Path work;

    private record Outcome(int code, String out, String err, long millis) {}

    /** Runs {@code ctl --run DIR slots} against a one-connection server that answers with {@code reply}. */
    private Outcome against(ThrowingConsumer reply) throws Exception {
        try (var server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            var dir = Files.createDirectories(work.resolve("run"));
            Files.writeString(dir.resolve("control.port"), server.getLocalPort() + "\n");
            var thread = Thread.ofVirtual().start(() -> {
                try (var client = server.accept()) {
                    reply.accept(client.getOutputStream());
                } catch (IOException | InterruptedException e) {
                    // the client gave up: what the test wants
                }
            });
            var out = new StringWriter();
            var err = new StringWriter();
            var cli = Main.commandLine();
            cli.setOut(new PrintWriter(out));
            cli.setErr(new PrintWriter(err));
            long t0 = System.nanoTime();
            int code = cli.execute("ctl", "--run", dir.toString(), "slots");
            long millis = (System.nanoTime() - t0) / 1_000_000;
            thread.interrupt();
            return new Outcome(code, out.toString(), err.toString(), millis);
        }
    }

    private interface ThrowingConsumer {
        void accept(OutputStream out) throws IOException, InterruptedException;
    }

    @Test
    void aPeerThatSendsOneEndlessLineIsNotAControlPort() throws Exception {
        // before: ctl buffered the line (3.5 GB in 15 s) and failed with the run command's out-of-memory advice
        var r = against(out -> {
            var junk = new byte[1 << 16];
            java.util.Arrays.fill(junk, (byte) 'x');
            for (int i = 0; i < 64; i++) out.write(junk);
        });
        assertEquals(1, r.code());
        assertTrue(r.err().contains("is not a ServeLab control port (a reply line over 65536 bytes)"), r.err());
    }

    @Test
    void aPeerThatTricklesIsGivenUpOnAtTheDeadline() throws Exception {
        // before: each read had its own timeout, so a byte every few seconds held ctl forever
        System.setProperty("servelab.ctl.timeout_ms", "1500");
        try {
            var r = against(out -> {
                for (int i = 0; i < 100; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(400);
                }
            });
            assertEquals(1, r.code());
            assertTrue(r.err().contains("did not finish its answer within 1.5 s"), r.err());
            assertTrue(r.millis() < 10_000, r.millis() + " ms");
        } finally {
            System.clearProperty("servelab.ctl.timeout_ms");
        }
    }

    @Test
    void thePeersBytesAreShownNotObeyed() throws Exception {
        var r = against(out -> out.write("slot \u001b[31mRED\u001b]0;title\u0007\nok\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(0, r.code(), r.err());
        assertFalse(r.out().contains("\u001b"), r.out());
        assertTrue(r.out().contains("RED"), r.out());
    }
}

package servelab.runtime.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The tests' side of a running run's control port. */
public final class ControlClient {
    private ControlClient() {}

    /** One command on the control port of the run in {@code runDir}, as {@code servelab ctl} sends it; the reply's lines. */
    public static String send(Path runDir, String command) {
        try (var socket = new Socket(InetAddress.getLoopbackAddress(),
                Integer.parseInt(Files.readString(runDir.resolve("control.port")).strip()));
             var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
             var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            var key = ControlFiles.key(runDir); // the run's own, as servelab ctl --run sends it
            if (key.isPresent()) out.println("auth " + key.get());
            out.println(command);
            return String.join("\n", in.lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

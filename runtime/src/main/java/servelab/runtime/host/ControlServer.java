package servelab.runtime.host;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.stream.Collectors;

import servelab.api.PluginKind;

/**
 * The control port of a running testbed: a line protocol on the loopback interface only, so nothing outside
 * this machine can switch a policy. One command per connection:
 *
 * <pre>
 *   plugins                         installed plugins, one per line
 *   slots                           the plugin in each slot (replica 0)
 *   switch KIND NAME [key=value]... switch every replica's KIND slot to plugin NAME at the next iteration
 * </pre>
 *
 * The reply is the answer's lines, then {@code ok} or {@code error: ...}. {@code servelab ctl} is the client.
 */
public final class ControlServer implements AutoCloseable {
    private final ServerSocket socket;
    private final PluginRegistry registry;
    private final Thread thread;

    public ControlServer(PluginRegistry registry) {
        this.registry = registry;
        try {
            this.socket = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the control port on loopback", e);
        }
        this.thread = Thread.ofPlatform().daemon().name("servelab-control").start(this::serve);
    }

    /** The loopback port clients connect to. */
    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept();
                 var in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                 var out = new PrintWriter(client.getOutputStream(), true, StandardCharsets.UTF_8)) {
                String line = in.readLine();
                try {
                    out.println(handle(line == null ? "" : line.strip()));
                    out.println("ok");
                } catch (RuntimeException e) {
                    out.println("error: " + e.getMessage());
                }
            } catch (IOException e) {
                if (socket.isClosed()) return;
            }
        }
    }

    String handle(String line) {
        var words = line.isEmpty() ? new String[0] : line.split("\\s+");
        if (words.length == 0) throw new IllegalArgumentException("empty command; commands: plugins, slots, switch");
        return switch (words[0]) {
            case "plugins" -> registry.installed().stream().map(Plugin::toString).collect(Collectors.joining("\n"));
            case "slots" -> PluginRegistry.SLOTTED.stream().map(k -> k.id() + " " + registry.currentId(k))
                    .collect(Collectors.joining("\n"));
            case "switch" -> {
                if (words.length < 3) throw new IllegalArgumentException("usage: switch KIND NAME [key=value]...");
                var params = new LinkedHashMap<String, Object>();
                for (var kv : Arrays.copyOfRange(words, 3, words.length)) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("parameter '" + kv + "' is not key=value");
                    params.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                yield registry.switchTo(new PluginSelection(PluginKind.fromId(words[1]), words[2], params));
            }
            default -> throw new IllegalArgumentException("unknown command '" + words[0]
                    + "'; commands: plugins, slots, switch");
        };
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}

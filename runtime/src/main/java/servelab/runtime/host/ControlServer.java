package servelab.runtime.host;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.function.UnaryOperator;

/**
 * The control port of a running testbed: a line protocol, on the loopback interface unless {@link ControlOptions}
 * say otherwise. One command per connection:
 *
 * <pre>
 *   plugins                         installed plugins, one per line
 *   slots                           the plugin in each slot (replica 0)
 *   switch KIND NAME [key=value]... switch every replica's KIND slot to plugin NAME at the next iteration
 * </pre>
 *
 * When an API key is set, the connection's first line must be {@code auth KEY}. The reply is the answer's lines,
 * then {@code ok} or {@code error: ...}. {@code servelab ctl} is the client.
 *
 * <p>Why each connection has its own virtual thread, a line limit and a read timeout: one client that connects and
 * never sends a newline used to block every later {@code servelab ctl}, and a 400 MiB line without a newline grew
 * the heap by gigabytes while it was buffered. Now a silent client is dropped after the timeout without holding
 * anyone else up, a line stops being read at the limit, and at most {@link #MAX_CLIENTS} connections are served at
 * once.
 */
public final class ControlServer implements AutoCloseable {
    /** Connections served at the same time; more are answered {@code error: busy} and closed. */
    static final int MAX_CLIENTS = 16;

    private final ServerSocket socket;
    private final ControlOptions options;
    private final UnaryOperator<String> commands;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);

    /** The control port of {@code registry} on loopback, as every run opens it. */
    public ControlServer(PluginRegistry registry) {
        this(registry, ControlOptions.loopback());
    }

    public ControlServer(PluginRegistry registry, ControlOptions options) {
        this(new ControlCommands(registry)::handle, options);
    }

    /**
     * As {@link #ControlServer(PluginRegistry, ControlOptions)}, with each {@code switch} that was done said to
     * {@code console} too ({@code info}): the run's terminal showed a jar's swap but not a {@code ctl switch}.
     */
    public ControlServer(PluginRegistry registry, ControlOptions options, HostListener console) {
        this(echoingSwitches(new ControlCommands(registry), console), options);
    }

    private static UnaryOperator<String> echoingSwitches(ControlCommands commands, HostListener console) {
        return line -> {
            String answer;
            try {
                answer = commands.handle(line);
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                // a refused switch (bad parameters, a plugin that threw when made) was told to the ctl client only
                if (line.startsWith("switch ")) {
                    console.report("info", "", "", "", Printable.of("ctl " + line + " refused: "
                            + (e.getMessage() != null ? e.getMessage() : e.toString())));
                }
                throw e;
            }
            if (line.startsWith("switch ")) console.report("info", "", "", "", Printable.of("ctl " + line + ": " + answer));
            return answer;
        };
    }

    /** A control port answering each command line with {@code commands} (which throws to answer an error). */
    ControlServer(UnaryOperator<String> commands, ControlOptions options) {
        this.commands = commands;
        this.options = options;
        try {
            this.socket = new ServerSocket(options.port(), 64, options.bind()); // a burst of clients waits, is not reset
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the control port on " + options.bind().getHostAddress()
                    + ":" + options.port(), e);
        }
        Thread.ofPlatform().daemon().name("servelab-control").start(this::acceptLoop);
    }

    /** The port clients connect to. */
    public int port() {
        return socket.getLocalPort();
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                if (!clients.tryAcquire()) {
                    refuse(client, "busy: " + MAX_CLIENTS + " control connections are open; try again");
                    continue;
                }
                Thread.ofVirtual().name("servelab-control-client").start(() -> {
                    try {
                        serve(client);
                    } catch (IOException e) {
                        // the client went away or timed out; nothing to answer
                    } finally {
                        clients.release(); // before the close: a client that connects again at once finds room
                        try {
                            client.close();
                        } catch (IOException e) {
                            // gone already
                        }
                    }
                });
            } catch (IOException e) {
                if (socket.isClosed()) return;
            }
        }
    }

    private void serve(Socket client) throws IOException {
        var in = new LineReader(client, options.maxLineBytes(), options.readTimeout());
        var out = client.getOutputStream();
        try {
            if (options.apiKey().isPresent()) {
                String auth = in.readLine();
                if (auth == null || !options.acceptsAuthLine(auth)) {
                    reply(out, "error: unauthorized: the first line must be 'auth KEY' with the port's API key");
                    return;
                }
            }
            String line = in.readLine();
            String answer;
            try {
                answer = commands.apply(line == null ? "" : line.strip()) + "\nok";
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                answer = "error: " + (e.getMessage() != null ? e.getMessage() : e.toString());
            }
            reply(out, answer);
        } catch (LineReader.LineTooLongException e) {
            reply(out, "error: " + e.getMessage());
        } catch (SocketTimeoutException e) {
            reply(out, "error: no complete command within " + options.readTimeout().toMillis() + " ms");
        }
    }

    private static void refuse(Socket client, String message) {
        try (client) {
            reply(client.getOutputStream(), "error: " + message);
        } catch (IOException ignored) {
            // the refused client is gone already
        }
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
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

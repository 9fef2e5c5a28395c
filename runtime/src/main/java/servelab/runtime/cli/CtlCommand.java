package servelab.runtime.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import servelab.runtime.host.ControlOptions;

/** {@code servelab ctl}: talks to a running testbed's loopback control port. */
@Command(name = "ctl", mixinStandardHelpOptions = true,
        description = {"Control a running testbed through its loopback control port.",
                "Commands: plugins | slots | switch KIND NAME [key=value]...",
                "Example, beside a running `servelab run exp.yaml --out runs/long`:",
                "  servelab ctl --run runs/long switch scheduler sjf key=prompt"})
final class CtlCommand implements java.util.concurrent.Callable<Integer> {
    /** A switch waits for the next iteration boundary, which a slow model step can put seconds away. */
    /** The whole reply's deadline: 60 s, or {@code -Dservelab.ctl.timeout_ms}. */
    private static int replyTimeoutMs() {
        return Integer.getInteger("servelab.ctl.timeout_ms", 60_000);
    }
    /** A control reply's lines are short (a plugin's description at most). */
    private static final int MAX_REPLY_LINE_BYTES = 64 * 1024;

    @Option(names = "--run", paramLabel = "RUN_DIR", description = "the run's output folder (holds control.port, "
            + "and control.key, which ctl sends)")
    Path runDir;

    @Option(names = "--port", description = "the control port, instead of --run (the run's key then comes from "
            + ControlOptions.KEY_ENV + ")")
    Integer port;

    @Option(names = "--host", description = "the testbed's host (default: loopback); a control port beyond loopback "
            + "needs the API key in the environment variable " + ControlOptions.KEY_ENV)
    String host;

    @Parameters(arity = "1..*", paramLabel = "COMMAND", description = "plugins, slots, or switch KIND NAME [key=value]...")
    List<String> command;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (port != null && (port < 1 || port > 65535)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--port must be in [1, 65535], was " + port);
        }
        if (port == null && runDir == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give --run RUN_DIR or --port PORT");
        }
        var usage = usageError(command);
        if (usage != null) throw new picocli.CommandLine.ParameterException(spec.commandLine(), usage);
        int p = port != null ? port : readPort();
        var address = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
        try (var socket = new Socket(address, p);
             var out = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8)) {
            // one deadline for the whole reply and a bound per line: whatever else listens on a stale port number
            // cannot make ctl wait past it (a byte every 20 s did) or buffer gigabytes (a line without end did)
            var in = new servelab.runtime.host.LineReader(socket, MAX_REPLY_LINE_BYTES,
                    java.time.Duration.ofMillis(replyTimeoutMs()));
            // the environment's key, else the one the run wrote into its folder for its owner (control.key)
            String key = System.getenv(ControlOptions.KEY_ENV);
            if ((key == null || key.isEmpty()) && runDir != null) {
                key = servelab.runtime.host.ControlFiles.key(runDir).orElse(null);
            }
            if (key != null && !key.isEmpty()) out.println("auth " + key);
            out.println(String.join(" ", command));
            int rc = 1;
            for (String line; (line = in.readLine()) != null; ) {
                line = servelab.runtime.host.Printable.of(line); // the peer's bytes, shown, never obeyed by the terminal
                if (line.equals("ok")) rc = 0;
                else if (line.startsWith("error: ")) spec.commandLine().getErr().println("servelab ctl: " + line.substring(7));
                else if (!line.isEmpty()) spec.commandLine().getOut().println(line);
            }
            spec.commandLine().getOut().flush();
            return rc;
        } catch (servelab.runtime.host.LineReader.LineTooLongException e) {
            throw new UncheckedIOException("what answers on port " + p + " is not a ServeLab control port (a reply "
                    + "line over " + MAX_REPLY_LINE_BYTES + " bytes)", e);
        } catch (java.net.ConnectException e) {
            throw new UncheckedIOException("no testbed is listening on " + address.getHostAddress() + " port " + p
                    + " (has the run ended?)", e);
        } catch (java.net.SocketTimeoutException e) {
            throw new UncheckedIOException("the testbed on port " + p + " did not finish its answer within "
                    + replyTimeoutMs() / 1000.0 + " s", e);
        }
    }

    /**
     * What is wrong with {@code words} as a command, or null: checked here too, so a mistyped command line exits 2
     * (a bad command line) before anything is sent, as every command's does; the testbed checks again.
     */
    static String usageError(List<String> words) {
        switch (words.getFirst()) {
            case "plugins", "slots" -> {
                return words.size() == 1 ? null : words.getFirst() + " takes no arguments, got " + words.subList(1, words.size());
            }
            case "switch" -> {
                if (words.size() < 3) return "usage: switch KIND NAME [key=value]...";
                var keys = new java.util.HashSet<String>();
                for (var kv : words.subList(3, words.size())) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) return "parameter '" + kv + "' is not key=value";
                    if (!keys.add(kv.substring(0, eq))) return "parameter '" + kv.substring(0, eq) + "' is given twice";
                }
                return null;
            }
            default -> {
                return "unknown command '" + words.getFirst() + "'; commands: plugins, slots, switch";
            }
        }
    }

    private int readPort() throws IOException {
        var file = runDir.resolve("control.port");
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + " does not exist: the run is not going, or was started without "
                    + "a control port");
        }
        String text = Files.readString(file).strip();
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) return p;
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException(file + " should hold the run's control port (1-65535), but holds '"
                + servelab.runtime.host.Printable.of(text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'");
    }
}

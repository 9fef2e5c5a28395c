package servelab.runtime.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * What a command that records into a run folder says when Ctrl-C (exit 130) or a TERM (143) stops it: what the
 * folder holds and the command that closes its files. Closed when the command ends by itself, saying nothing.
 */
public final class SignalNotice implements AutoCloseable {
    private final Thread hook;

    private SignalNotice(Thread hook) {
        this.hook = hook;
    }

    /** From now until {@link #close}, a signal makes {@code command} print where {@code folder} stands on {@code err}. */
    public static SignalNotice install(String command, Path folder, PrintWriter err) {
        var hook = Thread.ofPlatform().unstarted(() -> {
            err.print(message(command, folder));
            err.flush();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        return new SignalNotice(hook);
    }

    static String message(String command, Path folder) {
        return String.format("%n%s: stopped by a signal; %s keeps what was written (every table up to about a second "
                + "ago); servelab recover %s closes its files%n", command, folder, folder);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook says it
        }
    }
}

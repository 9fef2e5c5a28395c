package servelab.runtime.cli;

/**
 * Whether standard error, where progress goes, is a terminal. The launcher says so ({@code -Dservelab.stderr.terminal},
 * from the shell's {@code -t 2}); Java alone can only tell for standard input and output, so {@code 2>log} on a
 * terminal filled the log with the bar's cursor movements.
 */
public final class Terminal {
    /** The system property the launcher sets. */
    public static final String PROPERTY = "servelab.stderr.terminal";

    private Terminal() {}

    /** Whether a progress bar (cursor movements) may be drawn on standard error, else plain lines. */
    public static boolean stderr() {
        var console = System.console();
        return stderr(System.getProperty(PROPERTY), console != null && console.isTerminal());
    }

    /** {@code launcherSays} when the launcher said ("true"/"false"); else what the console says of stdin and stdout. */
    static boolean stderr(String launcherSays, boolean consoleIsTerminal) {
        return launcherSays == null ? consoleIsTerminal : Boolean.parseBoolean(launcherSays);
    }
}

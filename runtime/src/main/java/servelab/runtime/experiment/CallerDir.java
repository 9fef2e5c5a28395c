package servelab.runtime.experiment;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The folder the user typed the command in. The launcher changes into the checkout before starting the JVM (the
 * build and the class path live there), so the JVM's working folder is not the user's; it passes the user's as
 * {@code -Dservelab.cwd}, and every path given on the command line resolves against it. Without the property (tests,
 * notebooks, a JVM started by hand) the JVM's working folder is the user's.
 */
public final class CallerDir {
    /** The system property the launcher sets. */
    public static final String PROPERTY = "servelab.cwd";

    private CallerDir() {}

    /** {@code path} as the user meant it: absolute, or resolved against the caller's folder. */
    public static Path resolve(Path path) {
        var cwd = System.getProperty(PROPERTY);
        if (path.isAbsolute() || cwd == null || cwd.isBlank()) return path;
        return Path.of(cwd).resolve(path).normalize();
    }

    /** Like {@link #resolve(Path)} for text; text that is no path is returned as it is, for the reader to refuse. */
    public static String resolve(String path) {
        try {
            return resolve(Path.of(path)).toString();
        } catch (InvalidPathException e) {
            return path;
        }
    }
}

package servelab.runtime.notebook;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a notebook finds its inputs. The kernelspec that {@code servelab notebook install} writes starts the
 * kernel with {@code -Dservelab.home}; {@code servelab notebook run} sets {@code SERVELAB_RUNS} to the runs it
 * made for the notebooks.
 */
public final class Notebook {

    private Notebook() {
    }

    /** The ServeLab checkout: {@code -Dservelab.home}, else {@code $SERVELAB_HOME}, else the working folder's parent. */
    public static Path home() {
        var property = System.getProperty("servelab.home");
        if (property != null) return Path.of(property);
        var env = System.getenv("SERVELAB_HOME");
        if (env != null && !env.isBlank()) return Path.of(env);
        var cwd = Path.of("").toAbsolutePath();
        return Files.exists(cwd.resolve("servelab")) ? cwd : cwd.getParent();
    }

    /** The runs notebooks read: {@code $SERVELAB_RUNS}, else {@code runs/notebooks} in the checkout. */
    public static Path runsDir() {
        var env = System.getenv("SERVELAB_RUNS");
        return env != null && !env.isBlank() ? Path.of(env) : home().resolve("runs/notebooks");
    }

    /** The shared traces beside the checkout ({@code ../shared/traces}). */
    public static Path sharedTraces() {
        return home().resolve("../shared/traces").normalize();
    }
}

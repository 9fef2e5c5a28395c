package servelab.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/** Test helpers: small trace files written by the tests, and the shared real traces when present. */
public final class TraceFiles {
    private TraceFiles() {
    }

    /** Writes {@code content} to {@code dir/name} and returns the path. */
    public static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code shared/traces/<relative>}, found through the {@code servelab.sharedDir} system property that surefire
     * sets; skips the calling test (not fails it) in a plain clone that has no shared folder.
     */
    public static Path sharedTrace(String relative) {
        var shared = System.getProperty("servelab.sharedDir");
        Assumptions.assumeTrue(shared != null, "servelab.sharedDir is not set");
        var file = Path.of(shared, "traces", relative);
        Assumptions.assumeTrue(Files.isRegularFile(file), () -> "no shared trace at " + file);
        return file;
    }
}

package servelab.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Files for the targets (the parsers read paths) and the one property every target checks. */
final class Inputs {
    private static final Path DIR;

    static {
        try {
            DIR = Files.createTempDirectory("servelab-fuzz");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Inputs() {}

    static Path write(String fileName, byte[] bytes) throws IOException {
        return Files.write(DIR.resolve(fileName), bytes);
    }

    /** A fresh folder for a target that writes results (an importer). */
    static Path freshDir(String name) throws IOException {
        var dir = DIR.resolve(name);
        deleteTree(dir);
        return dir;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var files = Files.walk(dir)) {
            for (var f : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }

    /**
     * The property: a refused input is refused with a message that names it, so a user with a thousand files knows
     * which one; anything else (a bare NumberFormatException, an index out of bounds) fails the target.
     */
    static void requireNamed(Exception e, String fileName) {
        if (e.getMessage() == null || !e.getMessage().contains(fileName)) {
            throw new AssertionError("the error does not name " + fileName + ": " + e, e);
        }
    }
}

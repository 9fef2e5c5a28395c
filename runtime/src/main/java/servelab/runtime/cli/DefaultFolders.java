package servelab.runtime.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a command writes when no {@code --out} is given: {@code PARENT/STEMyyyyMMdd-HHmmss} under the checkout (the
 * launcher's working directory), as an absolute path, so the line that says where the results are names a folder
 * that exists from wherever the command was typed (it printed {@code runs/...}, relative to the checkout). The folder
 * is made here, atomically, with {@code -2}, {@code -3}, ... after the stamp when another command took it: two runs
 * started in the same second collided ("already holds results"). The stamp is UTC, as run.json's {@code created}:
 * in local time a folder's date was a day off the file's east of Greenwich, and names went backwards when the clocks
 * did.
 */
public final class DefaultFolders {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    /** The folders this process made, for {@link #discardUnused}. */
    private static final java.util.List<Path> MADE = new java.util.concurrent.CopyOnWriteArrayList<>();

    private DefaultFolders() {}

    /** {@code parent/stem + timestamp}, absolute and made empty; {@code stem} ends with its own separator ({@code "azure-"}). */
    public static Path of(String parent, String stem) {
        var folder = free(Path.of(parent).toAbsolutePath(), stem + ZonedDateTime.now(ZoneOffset.UTC).format(STAMP));
        MADE.add(folder);
        return folder;
    }

    /**
     * Removes every folder {@link #of} made in this process that is still empty: a command that failed (a usage
     * error, a missing input) or only listed something left an empty {@code reports/report-STAMP/} behind.
     */
    public static void discardUnused() {
        for (var folder : MADE) discardIfEmpty(folder);
    }

    static Path free(Path parent, String name) {
        try {
            Files.createDirectories(parent);
            for (int k = 1; ; k++) {
                var candidate = parent.resolve(k == 1 ? name : name + "-" + k);
                try {
                    return Files.createDirectory(candidate);
                } catch (FileAlreadyExistsException taken) {
                    // the next suffix
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a folder in " + parent + ": " + e, e);
        }
    }

    /** Removes {@code folder} if it is still empty (a command that failed before writing into its default folder). */
    public static void discardIfEmpty(Path folder) {
        try (var left = Files.list(folder)) {
            if (left.findAny().isEmpty()) Files.delete(folder);
        } catch (IOException | RuntimeException ignored) {
            // best effort: the command's own error is the one to report
        }
    }
}

package servelab.runtime.cli;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Where a command writes when no {@code --out} is given: {@code PARENT/STEMyyyyMMdd-HHmmss} under the checkout (the
 * launcher's working directory), as an absolute path, so the line that says where the results are names a folder
 * that exists from wherever the command was typed (it printed {@code runs/...}, relative to the checkout).
 */
public final class DefaultFolders {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private DefaultFolders() {}

    /** {@code parent/stem + timestamp}, absolute; {@code stem} ends with its own separator ({@code "azure-"}). */
    public static Path of(String parent, String stem) {
        return Path.of(parent, stem + LocalDateTime.now().format(STAMP)).toAbsolutePath();
    }
}

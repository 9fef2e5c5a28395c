package servelab.runtime.record;

import java.io.IOException;
import java.nio.file.Path;

/** Another tool's result file that cannot be imported; the message names the file and the key or line at fault. */
public final class ImportException extends IOException {

    private final transient Path file;

    ImportException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    ImportException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /**
     * A reader's error about {@code file} whose message already names it ({@code name.csv:3: ...}): the file's path
     * once, with the reader's line and column (it read {@code path: name.csv:3: ...}).
     */
    static ImportException naming(Path file, Exception e) {
        String message = String.valueOf(e.getMessage());
        String name = file.getFileName().toString();
        if (!message.startsWith(name + ":")) return new ImportException(file, message, e);
        return new ImportException(file + message.substring(name.length()), file, e);
    }

    private ImportException(String message, Path file, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /** The file being imported. */
    public Path file() {
        return file;
    }
}

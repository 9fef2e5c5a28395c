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

    /** The file being imported. */
    public Path file() {
        return file;
    }
}

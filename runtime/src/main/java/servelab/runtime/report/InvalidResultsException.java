package servelab.runtime.report;

import java.io.IOException;
import java.nio.file.Path;

/** A run folder or result file that cannot be read as ServeLab results; the message names the file and why. */
public final class InvalidResultsException extends IOException {

    private final transient Path file;

    public InvalidResultsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public InvalidResultsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The folder or file at fault. */
    public Path file() {
        return file;
    }
}

package servelab.sweep;

import java.io.IOException;
import java.nio.file.Path;

/** Deleting a run folder (the sweep's scratch space, and the benchmark's). */
public final class PointFiles {
    private PointFiles() {}

    public static void delete(Path dir) throws IOException {
        PointTask.delete(dir);
    }
}

package servelab.runtime.record;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.RootAllocator;

/** Writes an imported tool's requests as a run folder: requests.arrow and run.json, nothing else. */
final class ImportedRun {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private ImportedRun() {
    }

    static void write(Path runDir, List<TableColumns.RequestEntry> requests, Map<String, Object> runInfo)
            throws IOException {
        java.nio.file.Files.createDirectories(runDir);
        RunRecorder.requireNoResults(runDir);
        var table = ResultTable.REQUESTS;
        try (var allocator = new RootAllocator()) {
            try (var writer = TableWriter.open(table, TableColumns.requests(), runDir.resolve(table.streamFileName()),
                    RecorderOptions.defaults().requestBatchRows(), allocator)) {
                for (var entry : requests) writer.append(entry);
            }
            StreamToFile.convert(runDir, table, allocator, false);
        }
        Json.write(runDir.resolve("run.json"), runInfo);
    }

    /**
     * The longest time an importer accepts for a delay, a latency or an arrival's offset, in seconds (about 31.7
     * years): a few of them added stay far inside a long of nanoseconds, which a larger value would overflow.
     */
    static final double MAX_SECONDS = 1e9;

    /** Seconds (as the tools write them) to whole nanoseconds; rounding keeps 1000.01 - 1000.00 at 10 ms exactly. */
    static long nanos(double seconds) {
        return Math.round(seconds * NANOS_PER_SECOND);
    }
}

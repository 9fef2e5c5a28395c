package servelab.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import servelab.datasets.internal.FormatDetector;
import servelab.datasets.internal.RowParsers;

/**
 * Opens trace files. Every reader yields {@link TraceRequest}s lazily in file order, ids from 0, arrivals relative
 * to the first request; see {@link TraceFormat} for the formats and {@link ReadOptions} for bad and 0-token rows.
 */
public final class Traces {
    private Traces() {
    }

    /**
     * Detects a trace file's format from the file name's extension and its first line. Throws a
     * {@link TraceFormatException} listing the known formats and their columns when nothing matches. (Here, not
     * on {@link TraceFormat}: the detector reads the file, and the format table stays free of the parsers.)
     */
    public static TraceFormat detectFormat(Path file) throws IOException {
        return FormatDetector.detect(file);
    }

    /** Opens {@code file}, detecting its format, with {@link ReadOptions#DEFAULT}. */
    public static TraceReader open(Path file) throws IOException {
        return open(file, ReadOptions.DEFAULT);
    }

    /** Opens {@code file}, detecting its format ({@link #detectFormat}). */
    public static TraceReader open(Path file, ReadOptions options) throws IOException {
        return open(file, detectFormat(file), options);
    }

    /**
     * Opens {@code file} as {@code format}. Reads the header and the first request before returning, so a missing
     * column, an empty file or a trace with no usable request fails here with a {@link TraceFormatException}.
     */
    public static TraceReader open(Path file, TraceFormat format, ReadOptions options) throws IOException {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(options, "options");
        return new TraceReader(RowParsers.open(file, format, options), options);
    }

    /** All requests of {@code file} (format detected) as a stream; close it to close the file. */
    public static Stream<TraceRequest> stream(Path file, ReadOptions options) throws IOException {
        return open(file, options).stream();
    }

    /** All requests of {@code file} (format detected) in memory. */
    public static List<TraceRequest> readAll(Path file, ReadOptions options) throws IOException {
        return open(file, options).toList();
    }
}

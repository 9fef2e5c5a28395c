package servelab.datasets.internal;

import java.io.Closeable;
import java.io.IOException;

import servelab.datasets.TraceFormat;
import servelab.datasets.TraceFormatException;

/** Turns the lines of one trace file into {@link RawRow}s, one format each. */
public interface RowParser extends Closeable {

    /**
     * Reads the next data row into {@code row}; false at the end of the file. A bad row throws a
     * {@link TraceFormatException} with a {@link TraceFormatException#skipReason()}, and the parser is then
     * positioned after it, so the caller may skip it and go on.
     */
    boolean next(RawRow row) throws IOException;

    TraceFormat format();

    /** The file name that messages show. */
    String fileName();

    /** Builds the error for a row whose time goes back, naming the time column the way this format does. */
    TraceFormatException outOfOrder(RawRow row, long previousTimeNanos, long previousLine);

    /**
     * Builds the error for a row that arrives so long after the trace's first row (about 292 years) that the gap does
     * not fit in a {@code long} of nanoseconds, naming the time column the way this format does.
     */
    TraceFormatException tooLate(RawRow row, long firstTimeNanos, long firstLine);
}

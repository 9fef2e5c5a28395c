package servelab.datasets.internal;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import servelab.datasets.ReadOptions;
import servelab.datasets.SkipReason;
import servelab.datasets.TraceFormatException;

/**
 * The rows of a file that are well formed and in arrival order: a {@link RowParser} plus the two checks every
 * format shares. A bad row either fails (the parser's exception goes out) or is skipped and counted, as
 * {@link ReadOptions.BadRows} says.
 *
 * <p>Arrival order: a row whose time is earlier than the previous accepted row's is an error naming both lines
 * (or, when skipping, is left out and the next row is compared with the same earlier row). Equal times are fine.
 * Sorting is not attempted: it would need the whole file in memory.
 */
public final class RowCursor implements Closeable {
    private final RowParser parser;
    private final boolean skipBadRows;
    private final Map<SkipReason, Long> skipped = new EnumMap<>(SkipReason.class);
    private final Map<SkipReason, Long> firstSkippedLine = new EnumMap<>(SkipReason.class);
    private long previousTime = Long.MIN_VALUE;
    /** The first accepted row's time and line: every later row's offset from it must fit in a long. */
    private long firstTime;
    private long firstLine;
    private long previousLine;
    private long rowsAccepted;

    public RowCursor(RowParser parser, ReadOptions.BadRows badRows) {
        this.parser = parser;
        this.skipBadRows = badRows == ReadOptions.BadRows.SKIP;
    }

    /** Reads the next good row into {@code row}; false at the end of the file. */
    public boolean next(RawRow row) throws IOException {
        while (true) {
            try {
                if (!parser.next(row)) return false;
                if (row.timeNanos < previousTime) throw parser.outOfOrder(row, previousTime, previousLine);
                if (rowsAccepted == 0) {
                    firstTime = row.timeNanos;
                    firstLine = row.line;
                } else if (row.timeNanos - firstTime < 0) { // later than the first row, so only an overflow is negative
                    throw parser.tooLate(row, firstTime, firstLine);
                }
                previousTime = row.timeNanos;
                previousLine = row.line;
                rowsAccepted++;
                return true;
            } catch (TraceFormatException e) {
                if (!skipBadRows || e.skipReason().isEmpty() || e.line().isEmpty()) throw e;
                count(e.skipReason().get(), e.line().getAsLong());
            }
        }
    }

    /** Counts a row left out for {@code reason} (also used by readers for their own reasons). */
    public void count(SkipReason reason, long line) {
        skipped.merge(reason, 1L, Long::sum);
        firstSkippedLine.putIfAbsent(reason, line);
    }

    /** Rows left out so far, by reason (reasons with none are absent). */
    public Map<SkipReason, Long> skipped() {
        return Collections.unmodifiableMap(new EnumMap<>(skipped));
    }

    /** One line per reason, e.g. {@code azure.csv: skipped 3 rows with a malformed value (first on line 17)}. */
    public String skippedSummary() {
        var text = new StringBuilder();
        for (var reason : skipped.keySet()) text.append(text.isEmpty() ? "" : "\n").append(skippedSummary(reason));
        return text.toString();
    }

    /** The line of {@link #skippedSummary()} for {@code reason}. */
    public String skippedSummary(SkipReason reason) {
        long n = skipped.getOrDefault(reason, 0L);
        return parser.fileName() + ": skipped " + n + (n == 1 ? " row " : " rows ") + reason.description()
                + (n == 0 ? "" : " (first on line " + firstSkippedLine.get(reason) + ")");
    }

    /** Good rows returned so far. */
    public long rowsAccepted() {
        return rowsAccepted;
    }

    public RowParser parser() {
        return parser;
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}

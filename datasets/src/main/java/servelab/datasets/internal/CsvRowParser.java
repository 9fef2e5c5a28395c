package servelab.datasets.internal;

import java.io.IOException;
import java.time.Instant;

import servelab.datasets.ReadOptions;
import servelab.datasets.SkipReason;
import servelab.datasets.TraceFormat;
import servelab.datasets.TraceFormatException;

/**
 * Reads the CSV trace formats (Azure, BurstGPT, Vidur) row by row. The first line is the header; values are found
 * by column name ({@link CsvLayout}), parsed from the line's bytes ({@link Numbers}, {@link Timestamps}) and
 * checked: token counts are non-negative integers, times are valid. Blank lines are ignored.
 */
public final class CsvRowParser implements RowParser {
    private static final int MAX_QUOTED_VALUE = 40;

    private final LineReader lines;
    private final String fileName;
    private final CsvLayout layout;
    private final CsvFields fields = new CsvFields();
    private final TenantCache tenants = new TenantCache();

    private CsvRowParser(LineReader lines, String fileName, CsvLayout layout) {
        this.lines = lines;
        this.fileName = fileName;
        this.layout = layout;
    }

    /** Reads the header of {@code lines} and resolves {@code format}'s columns in it. */
    public static CsvRowParser open(LineReader lines, String fileName, TraceFormat format, ReadOptions options)
            throws IOException {
        if (!lines.next()) {
            throw TraceFormatException.ofFile(fileName, "empty file: expected a header line like '"
                    + String.join(",", format.requiredColumns()) + "'");
        }
        if (lines.isBlank()) {
            throw TraceFormatException.ofLine(fileName, 1, null, "blank first line: expected a header line like '"
                    + String.join(",", format.requiredColumns()) + "'");
        }
        var csv = new CsvFields();
        if (csv.split(lines.buffer(), lines.start(), lines.end()) < 0) {
            throw TraceFormatException.ofLine(fileName, 1, null, "malformed quotes in the header");
        }
        var layout = CsvLayout.resolve(format, csv.texts(), options, fileName);
        return new CsvRowParser(lines, fileName, layout);
    }

    @Override
    public boolean next(RawRow row) throws IOException {
        do {
            if (!lines.next()) return false;
        } while (lines.isBlank());
        byte[] b = lines.buffer();
        row.line = lines.lineNumber();
        int found = fields.split(b, lines.start(), lines.end());
        if (found < 0) {
            int field = fields.badQuoteField();
            var name = field < layout.header().size() ? layout.header().get(field) : "";
            throw TraceFormatException.ofColumn(fileName, row.line, field + 1, name, SkipReason.BAD_VALUE,
                    "unbalanced quotes: a quoted field must end with a quote followed by a comma or the line's end");
        }
        if (found != layout.header().size()) throw columnCountError(row, found);
        row.timeNanos = parseTime(row, b);
        row.inputTokens = count(row, b, layout.input());
        row.outputTokens = count(row, b, layout.output());
        row.tenant = layout.tenant() < 0 ? "default" : tenant(b, layout.tenant());
        row.priority = layout.priority() < 0 ? 0 : priority(row, b, layout.priority());
        return true;
    }

    private long parseTime(RawRow row, byte[] b) {
        int c = layout.time();
        return switch (layout.timeKind()) {
            case DATE_TIME -> {
                long nanos = Timestamps.parseEpochNanos(b, fields.start(c), fields.end(c));
                if (nanos == Timestamps.INVALID) {
                    throw columnError(row, c, "a timestamp like 2023-11-16 18:15:46.6805900", quoted(c));
                }
                yield nanos;
            }
            case SECONDS -> {
                long nanos = Numbers.parseSecondsNanos(b, fields.start(c), fields.end(c));
                if (nanos == Numbers.TOO_LARGE) {
                    throw columnError(row, c, "a number of seconds below 9.2e9", quoted(c));
                }
                if (nanos < 0) throw columnError(row, c, "a non-negative number of seconds", quoted(c));
                yield nanos;
            }
        };
    }

    private int count(RawRow row, byte[] b, int c) {
        long value = Numbers.parseCount(b, fields.start(c), fields.end(c));
        if (value < 0) throw columnError(row, c, "a non-negative integer", quoted(c));
        return (int) value;
    }

    private int priority(RawRow row, byte[] b, int c) {
        int from = fields.start(c);
        int to = fields.end(c);
        if (from == to) return 0;
        boolean negative = b[from] == '-';
        long value = Numbers.parseCount(b, negative ? from + 1 : from, to);
        if (value < 0) throw columnError(row, c, "an integer", quoted(c));
        return (int) (negative ? -value : value);
    }

    private String tenant(byte[] b, int c) {
        if (fields.start(c) == fields.end(c)) return "default";
        if (fields.hasEscapes(c)) return fields.text(c);
        return tenants.get(b, fields.start(c), fields.end(c));
    }

    private TraceFormatException columnCountError(RawRow row, int found) {
        var detail = "expected " + layout.header().size() + " columns (" + String.join(",", layout.header())
                + "), found " + found;
        if (!lines.isTerminated()) detail += "; the file ends mid-row (truncated?)";
        return TraceFormatException.ofLine(fileName, row.line, SkipReason.WRONG_COLUMN_COUNT, detail);
    }

    private TraceFormatException columnError(RawRow row, int column, String expected, String was) {
        var name = column < layout.header().size() ? layout.header().get(column) : "";
        var detail = "expected " + expected + ", was " + was;
        if (!lines.isTerminated()) detail += "; the file ends mid-row (truncated?)";
        return TraceFormatException.ofColumn(fileName, row.line, column + 1, name, SkipReason.BAD_VALUE, detail);
    }

    private String quoted(int column) {
        var text = fields.text(column);
        if (text.length() > MAX_QUOTED_VALUE) text = text.substring(0, MAX_QUOTED_VALUE) + "...";
        return "'" + text + "'";
    }

    @Override
    public TraceFormatException outOfOrder(RawRow row, long previousTimeNanos, long previousLine) {
        int c = layout.time();
        return TraceFormatException.ofColumn(fileName, row.line, c + 1, layout.header().get(c), SkipReason.OUT_OF_ORDER,
                "arrival " + formatTime(row.timeNanos) + " is earlier than " + formatTime(previousTimeNanos)
                        + " on line " + previousLine + "; rows must be in arrival order");
    }

    @Override
    public TraceFormatException tooLate(RawRow row, long firstTimeNanos, long firstLine) {
        int c = layout.time();
        return TraceFormatException.ofColumn(fileName, row.line, c + 1, layout.header().get(c), SkipReason.BAD_VALUE,
                "arrival " + formatTime(row.timeNanos) + " is more than 292 years after the first row's, "
                        + formatTime(firstTimeNanos) + " on line " + firstLine
                        + "; a trace's span must fit in 64-bit nanoseconds");
    }

    private String formatTime(long nanos) {
        return switch (layout.timeKind()) {
            case DATE_TIME -> Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
                    Math.floorMod(nanos, 1_000_000_000L)).toString();
            case SECONDS -> Decimals.seconds(nanos) + " s";
        };
    }

    @Override
    public TraceFormat format() {
        return layout.format();
    }

    @Override
    public String fileName() {
        return fileName;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}

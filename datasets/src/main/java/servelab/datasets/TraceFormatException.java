package servelab.datasets;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A trace file that cannot be read as its format says. The message names the file, the line (1-based) and the
 * column (1-based index and name) or JSON field, and what was expected, for example
 * {@code azure.csv:17: column 3 'GeneratedTokens': expected a non-negative integer, was '-4'}.
 *
 * <p>Unchecked, because readers are iterators and streams; it is thrown from {@link Traces#open} for problems of
 * the whole file (no header, a missing column, no requests) and from iteration for a bad row.
 */
public final class TraceFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long line;
    private final int columnIndex;
    private final String columnName;
    private final SkipReason reason;

    private TraceFormatException(String file, long line, int columnIndex, String columnName, SkipReason reason,
                                 String detail) {
        super(render(file, line, columnIndex, columnName, detail));
        this.file = file;
        this.line = line;
        this.columnIndex = columnIndex;
        this.columnName = columnName;
        this.reason = reason;
    }

    /** A problem of the whole file, e.g. {@code trace.csv: the trace has no requests}. */
    public static TraceFormatException ofFile(String file, String detail) {
        return new TraceFormatException(file, 0, 0, null, null, detail);
    }

    /** A problem of one line that is not about one column (header errors, wrong column count). */
    public static TraceFormatException ofLine(String file, long line, SkipReason reason, String detail) {
        return new TraceFormatException(file, line, 0, null, reason, detail);
    }

    /** A bad value in CSV column {@code columnIndex} (1-based) named {@code columnName}. */
    public static TraceFormatException ofColumn(String file, long line, int columnIndex, String columnName,
                                                SkipReason reason, String detail) {
        return new TraceFormatException(file, line, columnIndex, columnName, reason, detail);
    }

    /** A bad value in JSON field {@code field} (JSON objects have no column index). */
    public static TraceFormatException ofField(String file, long line, String field, SkipReason reason,
                                               String detail) {
        return new TraceFormatException(file, line, 0, field, reason, detail);
    }

    private static String render(String file, long line, int columnIndex, String columnName, String detail) {
        var text = new StringBuilder(file);
        if (line > 0) text.append(':').append(line);
        text.append(": ");
        if (columnName != null) {
            if (columnIndex > 0) text.append("column ").append(columnIndex).append(" '").append(columnName).append("': ");
            else text.append("field '").append(columnName).append("': ");
        }
        return text.append(detail).toString();
    }

    /** The file name as the message shows it. */
    public String file() {
        return file;
    }

    /** 1-based line number, empty for problems of the whole file. */
    public OptionalLong line() {
        return line > 0 ? OptionalLong.of(line) : OptionalLong.empty();
    }

    /** 1-based CSV column index, empty for JSON fields and whole-line problems. */
    public OptionalInt columnIndex() {
        return columnIndex > 0 ? OptionalInt.of(columnIndex) : OptionalInt.empty();
    }

    /** CSV column name or JSON field name, empty for whole-line problems. */
    public Optional<String> columnName() {
        return Optional.ofNullable(columnName);
    }

    /** Why the row is bad when the problem is one row that {@link ReadOptions.BadRows#SKIP} may skip. */
    public Optional<SkipReason> skipReason() {
        return Optional.ofNullable(reason);
    }
}

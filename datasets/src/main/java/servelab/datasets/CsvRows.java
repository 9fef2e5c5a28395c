package servelab.datasets;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import servelab.datasets.internal.CsvFields;
import servelab.datasets.internal.LineReader;

/**
 * A CSV file read row by row with the trace readers' line reader and field splitter, for CSV files that are not
 * traces (Vidur's {@code request_metrics.csv}): a header line, then rows; quotes per RFC 4180 within a line, CRLF
 * line ends, a UTF-8 byte-order mark and a {@code .gz} suffix are handled as for traces. Blank lines are skipped.
 * Fields are text (trimmed); the caller parses them and checks the field count against the header, since what a
 * bad row means is its business. Not thread-safe.
 *
 * {@snippet :
 * try (var rows = CsvRows.open(file)) {
 *     int id = rows.header().indexOf("Request Id");
 *     while (rows.next()) use(rows.line(), rows.field(id));
 * }
 * }
 */
public final class CsvRows implements Closeable {
    private final String fileName;
    private final LineReader lines;
    private final CsvFields fields = new CsvFields();
    private final List<String> header;

    private CsvRows(Path file, LineReader lines) throws IOException {
        this.fileName = file.getFileName().toString();
        this.lines = lines;
        this.header = next() ? fields.texts() : List.of();
    }

    /** Opens {@code file} and reads its header; an empty file has an empty header and no rows. */
    public static CsvRows open(Path file) throws IOException {
        var lines = LineReader.open(file);
        try {
            return new CsvRows(file, lines);
        } catch (IOException | RuntimeException e) {
            lines.close();
            throw e;
        }
    }

    /** The header's column names, trimmed; empty for an empty file. */
    public List<String> header() {
        return header;
    }

    /**
     * Advances to the next non-blank row.
     *
     * @return false at the end of the file
     * @throws TraceFormatException naming the file, line and column when a quoted field is not closed
     */
    public boolean next() throws IOException {
        do {
            if (!lines.next()) return false;
        } while (lines.isBlank());
        if (fields.split(lines.buffer(), lines.start(), lines.end()) < 0) {
            int column = fields.badQuoteField();
            var name = header != null && column < header.size() ? header.get(column) : "";
            throw TraceFormatException.ofColumn(fileName, lines.lineNumber(), column + 1, name, SkipReason.BAD_VALUE,
                    "unbalanced quotes: a quoted field must end with a quote followed by a comma or the line's end");
        }
        return true;
    }

    /** The current row's line number in the file (1 is the header). */
    public long line() {
        return lines.lineNumber();
    }

    /** Fields in the current row. */
    public int size() {
        return fields.count();
    }

    /** Field {@code column} (0-based) of the current row, unquoted and trimmed. */
    public String field(int column) {
        return fields.text(column).strip();
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }
}

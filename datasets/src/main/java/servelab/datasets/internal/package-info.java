/**
 * Implementation of the trace readers; not API, may change without notice. Public only so the API package can
 * reach it. It uses the API's value types (formats, options, errors) and never the API's entry points: format
 * detection is {@code Traces.detectFormat} and the statistics live beside {@code TraceStats}, so no class here
 * and one there need each other.
 *
 * <p>Reading is layered: {@link servelab.datasets.internal.LineReader} hands out lines of one reused byte buffer;
 * a {@link servelab.datasets.internal.RowParser} per format (CSV by header name, or Mooncake JSON with one
 * Jackson parser per line) fills a reused {@link servelab.datasets.internal.RawRow}; a
 * {@link servelab.datasets.internal.RowCursor} checks arrival order and skips or fails bad rows. Numbers and
 * timestamps are parsed from bytes ({@link servelab.datasets.internal.Numbers},
 * {@link servelab.datasets.internal.Timestamps}), so a row allocates only the request it becomes.
 *
 * {@snippet :
 * var row = new RawRow();
 * try (var rows = new RowCursor(RowParsers.open(file, TraceFormat.AZURE_CSV, ReadOptions.DEFAULT),
 *         ReadOptions.BadRows.FAIL)) {
 *     while (rows.next(row)) stats.add(row.timeNanos, row.inputTokens, row.outputTokens, row.prefixBlockIds,
 *             row.prefixBlockTokens);  // raw rows: 0-token rows included
 * }
 * }
 */
package servelab.datasets.internal;

package servelab.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import servelab.datasets.internal.RawRow;
import servelab.datasets.internal.RowCursor;
import servelab.datasets.internal.RowParser;

/**
 * The requests of one trace file, read lazily in file order: ids 0, 1, 2, ... and arrival times relative to the
 * file's first well-formed row, replayed or not: a leading row of 0 tokens that is skipped does not move time 0, so
 * a window ({@code window_s}) selects the same rows whether such rows are skipped or clamped. Memory stays constant
 * whatever the file size.
 *
 * <p>A bad row throws {@link TraceFormatException} from {@link #hasNext()} (or is skipped and counted, as
 * {@link ReadOptions} says); an I/O failure throws {@link UncheckedIOException}. The file closes itself at the
 * end; close it explicitly (try-with-resources) when stopping early. At close, one warning per skip reason goes
 * to the {@code servelab.datasets} {@link System.Logger}. Not thread-safe.
 */
public final class TraceReader implements Iterator<TraceRequest>, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("servelab.datasets");

    private final RowCursor cursor;
    private final ReadOptions options;
    private final RawRow row = new RawRow();
    private TraceRequest pending;
    private long nextId;
    private long originNanos;
    private boolean started;
    private long clampedRows;
    private boolean exhausted;
    private boolean closed;

    /** Opens over {@code parser}; fails when the trace holds no request at all. */
    TraceReader(RowParser parser, ReadOptions options) {
        this.cursor = new RowCursor(parser, options.badRows());
        this.options = options;
        try {
            if (!hasNext()) throw noRequests();
        } catch (RuntimeException e) {
            closeQuietly(e);
            throw e;
        }
    }

    private TraceFormatException noRequests() {
        var skipped = cursor.skippedSummary();
        return TraceFormatException.ofFile(cursor.parser().fileName(), "the trace has no requests"
                + (skipped.isEmpty() ? " (no data rows)" : ": every row was skipped\n" + skipped));
    }

    @Override
    public boolean hasNext() {
        if (pending != null) return true;
        if (exhausted) return false;
        try {
            while (cursor.next(row)) {
                if (!started) { // the file's first good row sets time 0, whether or not it is replayed
                    originNanos = row.timeNanos;
                    started = true;
                }
                if (row.inputTokens == 0 || row.outputTokens == 0) {
                    if (options.zeroTokens() == ReadOptions.ZeroTokens.SKIP) {
                        cursor.count(SkipReason.ZERO_TOKENS, row.line);
                        continue;
                    }
                    clampedRows++;
                }
                pending = new TraceRequest(nextId++, row.timeNanos - originNanos, Math.max(1, row.inputTokens),
                        Math.max(1, row.outputTokens), row.tenant, row.priority, row.prefixBlockIds,
                        row.prefixBlockTokens);
                return true;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(cursor.parser().fileName() + ": " + e.getMessage(), e);
        }
        exhausted = true;
        close();
        return false;
    }

    @Override
    public TraceRequest next() {
        if (!hasNext()) throw new NoSuchElementException("no more requests in " + cursor.parser().fileName());
        var request = pending;
        pending = null;
        return request;
    }

    /** The remaining requests as a sequential stream that closes this reader when closed. */
    public Stream<TraceRequest> stream() {
        var spliterator = Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.IMMUTABLE);
        return StreamSupport.stream(spliterator, false).onClose(this::close);
    }

    /** Reads the remaining requests into a list and closes the reader. */
    public List<TraceRequest> toList() {
        try (this) {
            var all = new ArrayList<TraceRequest>();
            forEachRemaining(all::add);
            return all;
        }
    }

    public TraceFormat format() {
        return cursor.parser().format();
    }

    /** Rows left out so far, by reason; read it after iterating for the whole file's counts. */
    public Map<SkipReason, Long> skippedRows() {
        return cursor.skipped();
    }

    /** Rows replayed with 1 token where the trace says 0 ({@link ReadOptions.ZeroTokens#CLAMP_TO_ONE}). */
    public long clampedRows() {
        return clampedRows;
    }

    /** Requests yielded so far (the next id). */
    public long requestsRead() {
        return nextId - (pending == null ? 0 : 1);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        exhausted = true;
        // 0-token rows are expected in real traces (failed requests), so they are news, not a warning
        cursor.skipped().keySet().forEach(reason -> LOG.log(reason == SkipReason.ZERO_TOKENS
                ? System.Logger.Level.INFO : System.Logger.Level.WARNING, cursor.skippedSummary(reason)));
        try {
            cursor.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void closeQuietly(RuntimeException cause) {
        try {
            closed = true;
            cursor.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}

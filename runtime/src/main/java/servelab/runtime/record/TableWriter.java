package servelab.runtime.record;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * Appends rows of one table to an Arrow IPC stream file, one record batch every {@code batchRows} rows (and, with a
 * time bound, one whenever the oldest buffered row is that old; the count cuts stay at multiples of
 * {@code batchRows} rows all the same).
 *
 * <p>Crash safety: the stream writer writes each batch straight to the file channel (no buffering in Java), so
 * when {@link #append} returns after a batch, the batch is in the operating system's hands and survives a kill of
 * the JVM; a reader sees every complete batch. (It is not forced to the disk device: a power cut may lose it.)
 *
 * <p>Thread-safety: {@link #append} is synchronized, so replicas on different threads may share a writer; the
 * file's row order is the order of the calls. Uncontended, the lock costs next to nothing.
 */
final class TableWriter<R> implements Closeable {

    private final ResultTable table;
    private final RowWriter<R> rowWriter;
    private final FieldVector[] vectors;
    private final Stage[] stages;   // per column, null where the setter writes into the vector
    private final Object[] targets; // per column, the staging array or the vector
    private final VectorSchemaRoot root;
    private final FileChannel channel;
    private final ArrowStreamWriter writer;
    private final int batchRows;
    private final long flushNanos;
    private long firstBufferedNanos;
    private int rows;
    /** The write that failed, once one has: every later append fails with it (the buffer stays full). */
    private IOException broken;
    private long totalRows;
    private boolean closed;

    private TableWriter(ResultTable table, List<Column<R>> columns, VectorSchemaRoot root, FileChannel channel,
                        int batchRows, long flushNanos) {
        this.table = table;
        this.rowWriter = RowWriters.of(columns);
        this.root = root;
        this.vectors = root.getFieldVectors().toArray(FieldVector[]::new);
        this.stages = new Stage[vectors.length];
        this.targets = new Object[vectors.length];
        for (int c = 0; c < vectors.length; c++) {
            stages[c] = columns.get(c).stage();
            targets[c] = columns.get(c).target(vectors[c], batchRows);
        }
        this.channel = channel;
        this.writer = new ArrowStreamWriter(root, null, channel);   // no codec: Arrow JS reads no compressed files
        this.batchRows = batchRows;
        this.flushNanos = flushNanos;
    }

    /** Creates {@code file} (which must not exist) and writes the schema, so even an empty run leaves a table. */
    static <R> TableWriter<R> open(ResultTable table, List<Column<R>> columns, Path file, int batchRows,
                                   BufferAllocator allocator) throws IOException {
        return open(table, columns, file, batchRows, 0, allocator);
    }

    /**
     * @param flushNanos also write a batch once the oldest buffered row is this old (wall time; 0: never), so a kill
     *                   loses little; the batches then have uneven sizes, which {@link StreamToFile} evens out
     */
    static <R> TableWriter<R> open(ResultTable table, List<Column<R>> columns, Path file, int batchRows, long flushNanos,
                                   BufferAllocator allocator) throws IOException {
        var root = VectorSchemaRoot.create(table.schema(), allocator);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            var w = new TableWriter<>(table, columns, root, channel, batchRows, flushNanos);
            w.writer.start();
            return w;
        } catch (IOException | RuntimeException e) {
            root.close();
            if (channel != null) channel.close();
            throw e;
        }
    }

    synchronized void append(R row) throws IOException {
        if (closed) throw new IllegalStateException(table.tableName() + " writer is closed");
        if (broken != null) { // its buffer is full and cannot be emptied: the first failure, not an index error
            throw new IOException("an earlier batch could not be written: " + broken.getMessage(), broken);
        }
        rowWriter.write(targets, rows, row);
        if (rows == 0 && flushNanos > 0) firstBufferedNanos = System.nanoTime();
        rows++;
        totalRows++;
        // by count at every multiple of batchRows rows in all, so after a batch cut short by time the next one
        // ends where a count-only writer's would: its batches are whole again and the conversion moves them as they
        // are instead of copying them row by row (a loaded machine cuts by time often)
        if (totalRows % batchRows == 0 || (flushNanos > 0 && System.nanoTime() - firstBufferedNanos >= flushNanos)) {
            flush();
        }
    }

    /**
     * Writes the buffered rows if the oldest is past the time bound: the recorder's timer calls it, so a table that
     * gets no new row (events between swaps, requests in a quiet spell) still has its rows on disk within the bound.
     */
    synchronized void flushIfDue() throws IOException {
        if (!closed && broken == null && rows > 0 && flushNanos > 0 && System.nanoTime() - firstBufferedNanos >= flushNanos) {
            flush();
        }
    }

    /** Rows appended so far. */
    synchronized long rows() {
        return totalRows;
    }

    /** Writes what is buffered as a last batch, marks the end of the stream and closes the file. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try (root; channel; writer) {
            if (broken != null) throw new IOException("an earlier batch could not be written: " + broken.getMessage(), broken);
            if (rows > 0) flush();
            writer.end();
        }
    }

    /** Writes the buffered rows as a batch now (what the time bound does; tests call it to cut at a known row). */
    void flush() throws IOException {
        if (rows == 0) return;
        for (int c = 0; c < stages.length; c++) {
            if (stages[c] != null) stages[c].flush(targets[c], vectors[c], rows);
        }
        root.setRowCount(rows);
        try {
            writer.writeBatch();
        } catch (IOException | RuntimeException e) {
            broken = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
            throw e;
        }
        // reset() zeroes the buffers and keeps their memory: the next batch reuses it and no stale byte leaks
        // into a later batch, which keeps files byte-identical for identical rows
        for (var v : vectors) v.reset();
        rows = 0;
    }
}

package servelab.runtime.record;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamReader;

/**
 * Turns a table's IPC stream ({@code requests.arrows}) into the IPC file format ({@code requests.arrow}).
 *
 * <p>The Arrow columnar format spec: "the file format ... is an extension of the streaming format": magic
 * {@code ARROW1}, the same schema and record batch messages, and a footer indexing the batches. So each batch is
 * copied as it was written and the bytes stay deterministic. The file is written under a temporary name and moved
 * into place, and only then is the stream deleted: a crash during conversion leaves the stream to recover from.
 */
final class StreamToFile {

    private StreamToFile() {
    }

    /**
     * Converts {@code table}'s stream in {@code dir}. When {@code lenient} (recovering a killed run), a batch cut
     * short by the kill ends the table instead of failing; a stream cut before its schema gives an empty table.
     */
    static Recovery convert(Path dir, ResultTable table, BufferAllocator allocator, boolean lenient) throws IOException {
        return convert(dir, table, allocator, lenient, 0);
    }

    /**
     * @param batchRows when > 0, the file's batches are re-cut to this many rows (the last may be shorter), so a
     *                  stream written in uneven, time-driven batches still gives the same bytes as one written by
     *                  count; batches that already have this size are moved over without copying their rows
     */
    static Recovery convert(Path dir, ResultTable table, BufferAllocator allocator, boolean lenient, int batchRows)
            throws IOException {
        Path stream = dir.resolve(table.streamFileName());
        Path file = dir.resolve(table.fileName());
        Path tmp = dir.resolve(table.fileName() + ".tmp");
        try {
            return copy(stream, tmp, file, table, allocator, lenient, batchRows);
        } catch (IOException | RuntimeException e) {
            // a full disk or a bad stream leaves no half-written file behind; the stream stays, to recover from
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private static Recovery copy(Path stream, Path tmp, Path file, ResultTable table, BufferAllocator allocator,
                                 boolean lenient, int batchRows) throws IOException {
        long rows = 0;
        int batches = 0;
        boolean truncated = false;
        try (var in = FileChannel.open(stream, StandardOpenOption.READ);
             var reader = new ArrowStreamReader(in, allocator);
             var out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            VectorSchemaRoot root;
            try {
                root = reader.getVectorSchemaRoot();
            } catch (IOException | RuntimeException e) {
                if (!lenient) throw e;
                writeEmpty(table, allocator, out);
                return finish(stream, tmp, file, new Recovery(table, 0, 0, true));
            }
            try (var batcher = batchRows > 0 ? new Rebatcher(root, batchRows, allocator, out) : null;
                 var writer = batchRows > 0 ? null : new ArrowFileWriter(root, null, out)) {
                if (writer != null) writer.start();
                while (true) {
                    boolean more;
                    try {
                        more = reader.loadNextBatch();
                    } catch (IOException | RuntimeException e) {
                        if (!lenient) throw e;
                        truncated = true;   // the kill cut this batch short; every earlier one is whole
                        break;
                    }
                    if (!more) break;
                    if (batcher != null) batcher.add();
                    else writer.writeBatch();
                    rows += root.getRowCount();
                    batches++;
                }
                if (batcher != null) batcher.finish();
                else writer.end();
            }
        }
        return finish(stream, tmp, file, new Recovery(table, rows, batches, truncated));
    }

    /** Re-cuts the batches loaded into {@code in} into batches of {@code batchRows} rows, in order. */
    private static final class Rebatcher implements AutoCloseable {
        private final VectorSchemaRoot in;
        private final VectorSchemaRoot out;
        private final ArrowFileWriter writer;
        private final int batchRows;
        private int pending;

        Rebatcher(VectorSchemaRoot in, int batchRows, BufferAllocator allocator, FileChannel channel) throws IOException {
            this.in = in;
            this.batchRows = batchRows;
            this.out = VectorSchemaRoot.create(in.getSchema(), allocator);
            this.writer = new ArrowFileWriter(out, null, channel);
            writer.start();
        }

        void add() throws IOException {
            int n = in.getRowCount();
            if (pending == 0 && n == batchRows) {
                // a whole batch as the count would have cut it: move its buffers over
                try (var batch = new VectorUnloader(in).getRecordBatch()) {
                    new VectorLoader(out).load(batch);
                }
                writer.writeBatch();
                out.clear();
                return;
            }
            var from = in.getFieldVectors();
            var to = out.getFieldVectors();
            for (int row = 0; row < n; row++) {
                for (int c = 0; c < to.size(); c++) {
                    if (to.get(c) instanceof ListVector list) copyList((ListVector) from.get(c), row, list, pending);
                    else to.get(c).copyFromSafe(row, pending, from.get(c));
                }
                if (++pending == batchRows) flush();
            }
        }

        /**
         * A list row written the way {@link Column}'s list columns write it (null, or start, items, end), so the
         * bytes are those of a batch cut by count; Arrow's generic {@code copyFromSafe} goes through a reader and a
         * writer per item and was most of a million-request conversion.
         */
        private static void copyList(ListVector from, int row, ListVector to, int at) {
            if (from.isNull(row)) {
                to.setNull(at);
                return;
            }
            int start = from.getElementStartIndex(row), end = from.getElementEndIndex(row);
            int into = to.startNewValue(at);
            switch (from.getDataVector()) {
                case Float8Vector items -> {
                    var out = (Float8Vector) to.getDataVector();
                    for (int k = start; k < end; k++) out.setSafe(into + k - start, items.get(k));
                }
                case BigIntVector items -> {
                    var out = (BigIntVector) to.getDataVector();
                    for (int k = start; k < end; k++) out.setSafe(into + k - start, items.get(k));
                }
                default -> {
                    var items = from.getDataVector();
                    var out = to.getDataVector();
                    for (int k = start; k < end; k++) out.copyFromSafe(k, into + k - start, items);
                }
            }
            to.endValue(at, end - start);
        }

        void finish() throws IOException {
            if (pending > 0) flush();
            writer.end();
        }

        private void flush() throws IOException {
            out.setRowCount(pending);
            writer.writeBatch();
            out.clear();
            pending = 0;
        }

        @Override
        public void close() throws IOException {
            try (out) {
                writer.close();
            }
        }
    }

    private static void writeEmpty(ResultTable table, BufferAllocator allocator, FileChannel out) throws IOException {
        try (var root = VectorSchemaRoot.create(table.schema(), allocator);
             var writer = new ArrowFileWriter(root, null, out)) {
            writer.start();
            writer.end();
        }
    }

    private static Recovery finish(Path stream, Path tmp, Path file, Recovery result) throws IOException {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(stream);
        return result;
    }
}

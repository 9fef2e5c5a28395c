package servelab.runtime.record;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.arrow.vector.util.VectorBatchAppender;

/**
 * Turns a table's IPC stream ({@code requests.arrows}) into the IPC file format ({@code requests.arrow}).
 *
 * <p>The Arrow columnar format spec: "the file format ... is an extension of the streaming format": magic
 * {@code ARROW1}, the same schema and record batch messages, and a footer indexing the batches. So the messages are
 * copied byte for byte (in the kernel, {@link FileChannel#transferTo}) and only their headers are read, to index
 * them; a batch is decoded and written anew only when it must be re-cut. The bytes are those Arrow's own
 * {@link ArrowFileWriter} writes for the same batches. The file is written under a temporary name and moved into
 * place, and only then is the stream deleted: a crash during conversion leaves the stream to recover from.
 */
final class StreamToFile {

    private static final byte[] MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

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
     *                  count; batches that already have this size, on a cut, are copied as they are
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
             var channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                     StandardOpenOption.WRITE)) {
            var read = new ReadChannel(in);   // reads at in's position, unbuffered
            long size = in.size();
            Schema schema;
            try {
                var first = MessageSerializer.readMessage(read);
                if (first == null || first.headerType() != MessageHeader.Schema) {
                    throw new IOException(stream + " does not begin with an Arrow schema message");
                }
                schema = MessageSerializer.deserializeSchema(first);
            } catch (IOException | RuntimeException e) {
                if (!lenient) throw e;
                writeEmpty(table, allocator, channel);
                return finish(stream, tmp, file, new Recovery(table, 0, 0, true));
            }
            var out = new FileOut(channel);
            out.copy(in, 0, in.position(), -1);   // the schema message, which has no body and indexes no block
            try (var batcher = batchRows > 0 ? new Rebatcher(schema, batchRows, allocator, out) : null) {
                long at = in.position();
                while (true) {
                    MessageMetadataResult message;
                    try {
                        message = MessageSerializer.readMessage(read);
                    } catch (IOException | RuntimeException e) {
                        if (!lenient) throw e;
                        truncated = true;   // the kill cut this batch's header short; every earlier one is whole
                        break;
                    }
                    if (message == null) break;   // the end-of-stream marker, or a stream a kill ended between batches
                    if (message.headerType() != MessageHeader.RecordBatch) {
                        throw new IOException(stream + ": unexpected message of type "
                                + MessageHeader.name(message.headerType()) + " at byte " + at);
                    }
                    long bodyAt = in.position();
                    long body = message.getMessageBodyLength();
                    if (bodyAt + body > size) {
                        if (!lenient) throw new IOException(stream + ": the record batch at byte " + at + " is cut short");
                        truncated = true;
                        break;
                    }
                    var header = (RecordBatch) message.getMessage().header(new RecordBatch());
                    int n = Math.toIntExact(header.length());
                    if (batcher != null && (n != batchRows || batcher.pending > 0)) {
                        // the batch takes the body over (it slices it and releases the whole)
                        var buffer = MessageSerializer.readMessageBody(read, body, allocator);
                        try (var batch = MessageSerializer.deserializeRecordBatch(message, buffer)) {
                            batcher.add(batch, stream, at);
                        }
                    } else {
                        out.copy(in, at, bodyAt - at, body);
                    }
                    at = bodyAt + body;
                    in.position(at);
                    rows += n;
                    batches++;
                }
                if (batcher != null) batcher.finish();
            }
            out.end(schema);
        }
        return finish(stream, tmp, file, new Recovery(table, rows, batches, truncated));
    }

    /** The {@code .arrow} file being written: magic, the stream's messages, end marker, footer, magic. */
    private static final class FileOut {
        private final FileChannel channel;
        private final List<ArrowBlock> blocks = new ArrayList<>();

        FileOut(FileChannel channel) throws IOException {
            this.channel = channel;
            var out = new WriteChannel(channel);
            out.write(MAGIC);
            out.align();   // the first message starts 8-byte aligned, as ArrowFileWriter puts it
        }

        /** Copies one message from {@code in} as it is; a record batch ({@code body >= 0}) is indexed. */
        void copy(FileChannel in, long from, long metadata, long body) throws IOException {
            long offset = channel.position();
            long length = metadata + Math.max(body, 0);
            for (long done = 0; done < length; ) {
                long n = in.transferTo(from + done, length - done, channel);
                if (n <= 0) throw new IOException("cannot copy bytes " + (from + done) + "-" + (from + length));
                done += n;
            }
            if (body >= 0) blocks.add(new ArrowBlock(offset, Math.toIntExact(metadata), body));
        }

        /** Writes a batch made here (a re-cut one) and indexes it. */
        void write(ArrowRecordBatch batch) throws IOException {
            long offset = channel.position();   // messages end 8-byte aligned, so a channel counting from 0 pads alike
            var block = MessageSerializer.serialize(new WriteChannel(channel), batch);
            blocks.add(new ArrowBlock(offset + block.getOffset(), block.getMetadataLength(), block.getBodyLength()));
        }

        void end(Schema schema) throws IOException {
            var out = new WriteChannel(channel);
            out.writeIntLittleEndian(MessageSerializer.IPC_CONTINUATION_TOKEN);   // the stream's end marker
            out.writeIntLittleEndian(0);
            long footerStart = out.getCurrentPosition();
            out.write(new ArrowFooter(schema, List.of(), blocks), false);
            out.writeIntLittleEndian(Math.toIntExact(out.getCurrentPosition() - footerStart));
            out.write(MAGIC);
        }
    }

    /**
     * Joins the uneven batches of a count window into one batch of {@code batchRows} rows. {@link TableWriter} cuts
     * by count at every multiple of {@code batchRows} rows in all, time cuts or not, so a window is always made of
     * whole batches; they are appended buffer by buffer (Arrow's {@link VectorBatchAppender}), not row by row.
     */
    private static final class Rebatcher implements AutoCloseable {
        private final VectorSchemaRoot in;
        private final VectorSchemaRoot out;
        private final FileOut file;
        private final int batchRows;
        int pending;

        Rebatcher(Schema schema, int batchRows, BufferAllocator allocator, FileOut file) {
            this.batchRows = batchRows;
            this.file = file;
            this.in = VectorSchemaRoot.create(schema, allocator);
            this.out = VectorSchemaRoot.create(schema, allocator);
            out.allocateNew();   // the appender reads the target's first offset, so it must exist
        }

        void add(ArrowRecordBatch batch, Path stream, long at) throws IOException {
            new VectorLoader(in).load(batch);
            int n = in.getRowCount();
            if (pending + n > batchRows) {
                throw new IOException(stream + ": the record batch at byte " + at + " (" + n + " rows after " + pending
                        + ") crosses a cut at every " + batchRows + " rows");
            }
            var from = in.getFieldVectors();
            var to = out.getFieldVectors();
            for (int c = 0; c < to.size(); c++) VectorBatchAppender.batchAppend(to.get(c), from.get(c));
            pending += n;
            if (pending == batchRows) flush();
        }

        void finish() throws IOException {
            if (pending > 0) flush();
        }

        private void flush() throws IOException {
            out.setRowCount(pending);
            try (var batch = new VectorUnloader(out).getRecordBatch()) {
                file.write(batch);
            }
            // reset(), as the recorder's writer does: the next window starts from zeroed buffers
            for (var v : out.getFieldVectors()) v.reset();
            out.setRowCount(0);
            pending = 0;
        }

        @Override
        public void close() {
            try (in) {
                out.close();
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

package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream-to-file conversion copies messages as they are; its files are those Arrow's own file writer makes. */
class StreamToFileTest {

    @TempDir
    Path tmp;

    @Test
    void theFileIsWhatArrowsFileWriterWritesForTheSameBatches() throws IOException {
        // given: a requests stream of 11 rows in batches of 4, 4 and 3 (lists, text, nulls: a failed request)
        var dir = tmp.resolve("run");
        Files.createDirectories(dir);
        try (var allocator = new RootAllocator()) {
            writeRequests(dir, 4, 0, allocator);
            byte[] expected = arrowFileWriterBytes(dir.resolve(ResultTable.REQUESTS.streamFileName()), allocator);
            // when: it is converted
            var done = StreamToFile.convert(dir, ResultTable.REQUESTS, allocator, false, 4);
            // then: byte for byte the file Arrow writes batch by batch, and it reads back whole
            assertEquals(new Recovery(ResultTable.REQUESTS, 11, 3, false), done);
            assertArrayEquals(expected, Files.readAllBytes(dir.resolve("requests.arrow")));
            assertEquals(11, fileRows(dir.resolve("requests.arrow"), allocator));
        }
    }

    @Test
    void unevenBatchesOfAWindowAreJoinedIntoOne() throws IOException {
        // given: the same rows cut by time after rows 1 and 6 as well as by count (1 | 3 | 2 | 2 | 3)
        var byCount = tmp.resolve("count");
        var byTime = tmp.resolve("time");
        Files.createDirectories(byCount);
        Files.createDirectories(byTime);
        try (var allocator = new RootAllocator()) {
            writeRequests(byCount, 4, 0, allocator);
            writeRequests(byTime, 4, 1, allocator);
            // when: both are converted with batches of 4
            StreamToFile.convert(byCount, ResultTable.REQUESTS, allocator, false, 4);
            var joined = StreamToFile.convert(byTime, ResultTable.REQUESTS, allocator, false, 4);
            // then: the same bytes; the stream's five batches became the file's three
            assertEquals(5, joined.batches());
            assertArrayEquals(Files.readAllBytes(byCount.resolve("requests.arrow")),
                    Files.readAllBytes(byTime.resolve("requests.arrow")));
        }
    }

    @Test
    void aBatchAcrossACountCutIsRefusedAndTheStreamKept() throws IOException {
        // given: a stream cut every 3 rows, converted as if it had been cut every 4
        var dir = tmp.resolve("run");
        Files.createDirectories(dir);
        try (var allocator = new RootAllocator()) {
            writeRequests(dir, 3, 0, allocator);
            var e = assertThrows(IOException.class,
                    () -> StreamToFile.convert(dir, ResultTable.REQUESTS, allocator, false, 4));
            // then: the error names the stream and the batch; nothing half-written is left, the stream stays
            assertTrue(e.getMessage().contains("requests.arrows") && e.getMessage().contains("crosses a cut"),
                    e.getMessage());
            assertTrue(Files.exists(dir.resolve(ResultTable.REQUESTS.streamFileName())));
            assertTrue(Files.notExists(dir.resolve("requests.arrow.tmp")));
        }
    }

    /** 11 requests, cut by count every {@code batchRows} rows and, when {@code timeCuts}, after rows 1 and 6. */
    private static void writeRequests(Path dir, int batchRows, int timeCuts, BufferAllocator allocator)
            throws IOException {
        var slo = Slo.parse("ttft=15");
        try (var writer = TableWriter.open(ResultTable.REQUESTS, TableColumns.requests(),
                dir.resolve(ResultTable.REQUESTS.streamFileName()), batchRows, allocator)) {
            for (int i = 0; i < 11; i++) {
                var row = i == 10 ? Rows.failed(10, 11, "fault in scheduler") : Rows.ok(i, i, i + 10, i + 14, i + 19);
                writer.append(new TableColumns.RequestEntry(row, RequestMetrics.of(row, slo)));
                if (timeCuts > 0 && (i == 0 || i == 5)) writer.flush();
            }
        }
    }

    /** What {@link ArrowFileWriter} writes for the stream's batches, loaded one by one (the earlier conversion). */
    private static byte[] arrowFileWriterBytes(Path stream, BufferAllocator allocator) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var in = FileChannel.open(stream, StandardOpenOption.READ);
             var reader = new ArrowStreamReader(in, allocator);
             var writer = new ArrowFileWriter(reader.getVectorSchemaRoot(), null, Channels.newChannel(bytes))) {
            writer.start();
            while (reader.loadNextBatch()) writer.writeBatch();
            writer.end();
        }
        return bytes.toByteArray();
    }

    private static long fileRows(Path file, BufferAllocator allocator) throws IOException {
        long rows = 0;
        try (var in = FileChannel.open(file, StandardOpenOption.READ);
             var reader = new ArrowFileReader(in, allocator)) {
            while (reader.loadNextBatch()) rows += reader.getVectorSchemaRoot().getRowCount();
        }
        return rows;
    }
}

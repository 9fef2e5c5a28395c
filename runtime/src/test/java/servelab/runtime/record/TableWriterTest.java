package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableWriterTest {

    @TempDir
    Path tmp;

    @Test
    void afterABatchCutShortTheNextEndsAtAMultipleOfTheBatchSize() throws IOException {
        // given: batches of 4 events; 3 rows, then a cut (as the time bound makes), then 6 more rows
        var file = tmp.resolve(ResultTable.EVENTS.streamFileName());
        try (var allocator = new RootAllocator()) {
            try (var writer = TableWriter.open(ResultTable.EVENTS, TableColumns.events(), file, 4, allocator)) {
                for (int i = 0; i < 3; i++) writer.append(Rows.swap(i, i));
                writer.flush();
                for (int i = 3; i < 9; i++) writer.append(Rows.swap(i, i));
            }
            // then: 3 | 1 (rows 4 in all) | 4 (8) | 1 at close, not 3 | 4 | 2: whole batches after the cut
            assertEquals(List.of(3, 1, 4, 1), batchSizes(file, allocator));
        }
    }

    @Test
    void aBatchThatCannotBeWrittenFailsEveryLaterAppendWithItsCause() throws Exception {
        // given: the stream's file stops taking writes (as a full disk or a file-size limit does)
        var file = tmp.resolve(ResultTable.EVENTS.streamFileName());
        try (var allocator = new RootAllocator()) {
            var writer = TableWriter.open(ResultTable.EVENTS, TableColumns.events(), file, 4, allocator);
            var channel = TableWriter.class.getDeclaredField("channel");
            channel.setAccessible(true);
            ((java.nio.channels.FileChannel) channel.get(writer)).close();
            for (int i = 0; i < 3; i++) writer.append(Rows.swap(i, i));
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> writer.append(Rows.swap(3, 3)));
            // then: the next row is refused with the cause; it was written past the full buffer (an index error
            // that hid the write's failure)
            var again = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> writer.append(Rows.swap(4, 4)));
            org.junit.jupiter.api.Assertions.assertTrue(again.getMessage().startsWith("an earlier batch could not be written"),
                    again.getMessage());
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class, writer::close);
        }
    }

    private static List<Integer> batchSizes(Path stream, RootAllocator allocator) throws IOException {
        var sizes = new ArrayList<Integer>();
        try (var channel = FileChannel.open(stream, StandardOpenOption.READ);
             var reader = new ArrowStreamReader(channel, allocator)) {
            while (reader.loadNextBatch()) sizes.add(reader.getVectorSchemaRoot().getRowCount());
        }
        return sizes;
    }
}

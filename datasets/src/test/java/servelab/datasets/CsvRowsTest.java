package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvRowsTest {
    @TempDir Path dir;

    @Test
    void readsTheHeaderThenRowsWithQuotesCrlfAndBlankLinesAsTheTraceReadersDo() throws IOException {
        var file = dir.resolve("m.csv");
        Files.writeString(file, "\uFEFFRequest Id, name ,x\r\n1,\"a, b\",2.5\r\n\r\n2,\"say \"\"hi\"\"\", \r\n");
        try (var rows = CsvRows.open(file)) {
            assertEquals(List.of("Request Id", "name", "x"), rows.header());
            assertTrue(rows.next());
            assertEquals(2, rows.line());
            assertEquals(List.of("1", "a, b", "2.5"), fields(rows));
            assertTrue(rows.next());
            assertEquals(4, rows.line(), "the blank line 3 is skipped");
            assertEquals(List.of("2", "say \"hi\"", ""), fields(rows));
            assertFalse(rows.next());
        }
    }

    @Test
    void anUnclosedQuoteNamesTheFileLineAndColumn() throws IOException {
        var file = dir.resolve("bad.csv");
        Files.writeString(file, "a,b\n1,\"open\n");
        try (var rows = CsvRows.open(file)) {
            var e = assertThrows(TraceFormatException.class, rows::next);
            assertTrue(e.getMessage().startsWith("bad.csv:2: column 2 'b': unbalanced quotes"), e.getMessage());
        }
    }

    @Test
    void anEmptyFileHasNoHeaderAndNoRows() throws IOException {
        var file = Files.writeString(dir.resolve("empty.csv"), "");
        try (var rows = CsvRows.open(file)) {
            assertEquals(List.of(), rows.header());
            assertFalse(rows.next());
        }
    }

    private static List<String> fields(CsvRows rows) {
        return java.util.stream.IntStream.range(0, rows.size()).mapToObj(rows::field).toList();
    }
}

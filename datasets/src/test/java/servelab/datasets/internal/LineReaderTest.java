package servelab.datasets.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LineReaderTest {

    private static List<String> lines(byte[] content) throws IOException {
        var out = new ArrayList<String>();
        try (var reader = new LineReader(new ByteArrayInputStream(content))) {
            while (reader.next()) {
                out.add(reader.lineNumber() + ":" + new String(reader.buffer(), reader.start(),
                        reader.end() - reader.start(), StandardCharsets.UTF_8) + (reader.isTerminated() ? "" : "<cut>"));
            }
        }
        return out;
    }

    @Test
    void splitsCrlfAndLfLinesAndFlagsAnUnterminatedLastLine() throws IOException {
        var text = "a,b\r\n1,2\n\n3,4";
        assertEquals(List.of("1:a,b", "2:1,2", "3:", "4:3,4<cut>"), lines(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void dropsAUtf8ByteOrderMark() throws IOException {
        var bom = new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'x', '\n'};
        assertEquals(List.of("1:x"), lines(bom));
    }

    @Test
    void readsLinesLongerThanItsBuffer() throws IOException {
        var longLine = "y".repeat(200_000);
        var result = lines((longLine + "\nz\n").getBytes(StandardCharsets.UTF_8));
        assertEquals(2, result.size());
        assertTrue(result.get(0).endsWith(longLine));
        assertEquals("2:z", result.get(1));
    }

    @Test
    void findsNoLineInAnEmptyFile() throws IOException {
        try (var reader = new LineReader(new ByteArrayInputStream(new byte[0]))) {
            assertFalse(reader.next());
        }
    }
}

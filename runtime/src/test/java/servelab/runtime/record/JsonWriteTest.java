package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.json and summary.json are written whole or not at all, and a failed write leaves nothing behind. */
class JsonWriteTest {
    @TempDir Path dir;

    @Test
    void aWriteThatFailsLeavesNoTmpFileAndNamesItsFile() throws IOException {
        // given: the target cannot be replaced (a folder with something in it), as a full disk refuses the write
        var target = dir.resolve("run.json");
        Files.createDirectories(target);
        Files.writeString(target.resolve("x"), "x");
        // when
        var e = assertThrows(IOException.class, () -> Json.write(target, Map.of("a", 1)));
        // then: the error names the file; the .tmp beside it (a 0-byte one was left by a full disk) is gone
        assertTrue(e.getMessage().contains("run.json"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("run.json.tmp")), "the temporary file is removed");
        // and: a write that can succeed does
        Json.write(dir.resolve("ok.json"), Map.of("a", 1));
        assertEquals("{\n  \"a\" : 1\n}\n", Files.readString(dir.resolve("ok.json")));
    }
}

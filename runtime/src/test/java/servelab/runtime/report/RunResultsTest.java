package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.ResultTable;
import servelab.runtime.record.Rows;
import servelab.runtime.record.RunRecorder;

class RunResultsTest {

    @TempDir
    Path tmp;

    @Test
    void aFolderWithoutRequestsIsNotARun() throws IOException {
        var dir = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(dir.resolve("todo.txt"), "x");
        var e = assertThrows(InvalidResultsException.class, () -> RunResults.load(dir));
        assertEquals(dir, e.file());
        assertTrue(e.getMessage().contains("not a ServeLab run folder") && e.getMessage().contains("todo.txt"),
                e.getMessage());
    }

    @Test
    void aMissingFolderIsNamed() {
        var e = assertThrows(InvalidResultsException.class, () -> RunResults.load(tmp.resolve("nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("no such run folder"), e.getMessage());
    }

    @Test
    void anotherTablesFileUnderTheRequestsNameIsNamedAsSuch() throws IOException {
        // given: iterations.arrow copied over requests.arrow
        var dir = tinyRun();
        Files.copy(dir.resolve("iterations.arrow"), dir.resolve("requests.arrow"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        var e = assertThrows(InvalidResultsException.class, () -> RunResults.load(dir));
        assertEquals(dir.resolve("requests.arrow"), e.file());
        assertTrue(e.getMessage().contains("holds the 'iterations' table, not 'requests'"), e.getMessage());
    }

    @Test
    void anArrowFileOfAnotherSchemaListsWhatIsMissing() throws IOException {
        // given: an Arrow file written by someone else: one column "x" and no ServeLab metadata
        var dir = Files.createDirectories(tmp.resolve("foreign"));
        ForeignArrow.writeOneIntColumn(dir.resolve("requests.arrow"), "x");
        var e = assertThrows(InvalidResultsException.class, () -> RunResults.load(dir));
        assertTrue(e.getMessage().contains("not a ServeLab requests table")
                && e.getMessage().contains("missing column 'ttft_ms' (Float64)"), e.getMessage());
    }

    @Test
    void aFileFromBeforeTheHostTierColumnsStillLoads() throws IOException {
        // given: an iterations table as written before the host-tier columns were added at its end
        var dir = tinyRun();
        ForeignArrow.writeWithoutLaterColumns(dir.resolve("iterations.arrow"), ResultTable.ITERATIONS);
        // then: it loads, and says it lacks them
        var iterations = RunResults.load(dir).table(ResultTable.ITERATIONS).orElseThrow();
        assertTrue(iterations.has("prefix_hit_tokens"));
        assertTrue(!iterations.has("reloaded_blocks"));
        assertTrue(ResultTable.ITERATIONS.isAddedLater("reloaded_blocks"));
    }

    @Test
    void aTruncatedFileIsReportedAsTruncated() throws IOException {
        var dir = tinyRun();
        var file = dir.resolve("requests.arrow");
        try (var ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        var e = assertThrows(InvalidResultsException.class, () -> RunResults.load(dir));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("not a complete Arrow IPC file"), e.getMessage());
    }

    @Test
    void importedRunsHaveOnlyARequestsTable() throws IOException {
        var dir = tinyRun();
        Files.delete(dir.resolve("iterations.arrow"));
        Files.delete(dir.resolve("events.arrow"));
        var results = RunResults.load(dir);
        assertEquals(1, results.requests().rowCount());
        assertTrue(results.table(ResultTable.ITERATIONS).isEmpty());
    }

    @Test
    void askingForAColumnThatIsNotThereListsTheColumns() throws IOException {
        var requests = RunResults.load(tinyRun()).requests();
        var e = assertThrows(IllegalArgumentException.class, () -> requests.doubles("ttft"));
        assertTrue(e.getMessage().contains("no column 'ttft'") && e.getMessage().contains("ttft_ms"), e.getMessage());
        var kind = assertThrows(IllegalArgumentException.class, () -> requests.doubles("tenant"));
        assertTrue(kind.getMessage().contains("is Utf8, not numeric"), kind.getMessage());
    }

    private Path tinyRun() throws IOException {
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
            recorder.request(Rows.ok(0, 0, 10, 20));
            recorder.iteration(Rows.iteration(0, 0, 10));
        }
        return dir;
    }
}

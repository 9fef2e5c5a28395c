package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Json;
import servelab.runtime.report.RunResults;

/**
 * A trace that turns out malformed part-way through a run: the reader's error (file and line) is what the run throws,
 * every request that arrived has its one row (those still running ended as failed), and run.json says the run stopped.
 * Before, the requests in flight had no row and nothing marked the folder as cut short.
 */
class TraceErrorMidRunTest {
    @TempDir Path work;

    @Test
    void everyRequestThatArrivedEndsAndRunJsonSaysTheRunStopped() throws Exception {
        // given: 30 long requests 10 ms apart, then a row whose prompt is not a number (line 32)
        var csv = work.resolve("t.csv");
        var text = new StringBuilder("TIMESTAMP,ContextTokens,GeneratedTokens\n");
        for (int i = 0; i < 30; i++) {
            text.append(String.format("2023-11-16 18:15:46.%03d0000,800,300%n", i * 10));
        }
        text.append("2023-11-16 18:15:47.0000000,abc,10\n");
        Files.writeString(csv, text);
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var exp = ExperimentFile.load(null, List.of("trace.file=" + csv, "trace.format=azure-csv"));
        var runDir = work.resolve("run");
        // when
        var e = assertThrows(RuntimeException.class,
                () -> ExperimentRunner.run(exp, runDir, new ExperimentRunner.Options(plugins, null, null, null)));
        // then: the reader's message, naming the file and line
        assertTrue(e.getMessage().contains("t.csv:32"), e.getMessage());
        // and: one row per request read, the ones in flight failed as aborted
        var requests = RunResults.load(runDir).requests();
        var ids = new TreeSet<Long>();
        for (long id : requests.longs("request_id")) assertTrue(ids.add(id), "two rows for " + id);
        assertEquals(30, ids.size());
        assertEquals(29L, ids.last());
        long aborted = requests.strings("error").stream().filter(s -> s.startsWith("run aborted: ")).count();
        assertTrue(aborted > 0, "some requests were still running: " + requests.strings("error"));
        // and: run.json says why the run stopped
        var info = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        assertTrue(info.get("aborted").asText().contains("t.csv:32"), info.toString());
        // and: the rows read before it are counted (the counts taken before any row was read said 0)
        assertEquals(30, info.get("trace").get("rows_read").asLong(), info.get("trace").toString());
    }
}

package servelab.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.report.RunResults;

/** Every served request is a line of a Mooncake trace that `servelab run` replays; the tables are a batch run's. */
class LiveTraceTest {

    @Test
    void aServedSessionIsRecordedAsATraceThatRunReplaysWithTheSameLengths(@TempDir Path dir) throws Exception {
        var shared = "word ".repeat(600);
        try (var s = Served.start(dir)) {
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"" + shared + "\", \"max_tokens\": 5, \"user\": \"u1\"}").statusCode());
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"" + shared + "more ".repeat(100)
                    + "\", \"max_tokens\": 7}", "X-Session-Id", "chat-42").statusCode());
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"short one\", \"max_tokens\": 3}").statusCode());
        }
        var run = dir.resolve("run");
        var lines = Files.readAllLines(run.resolve("trace.jsonl"));
        assertEquals(3, lines.size());
        var first = Served.JSON.readTree(lines.get(0));
        var second = Served.JSON.readTree(lines.get(1));
        var third = Served.JSON.readTree(lines.get(2));
        assertEquals(600, first.get("input_length").asInt());
        assertEquals(5, first.get("output_length").asInt());
        assertEquals("[0,1]", first.get("hash_ids").toString(), "two 512-token blocks");
        assertEquals("[0,2]", second.get("hash_ids").toString(), "the shared first block keeps its id");
        assertEquals("[3]", third.get("hash_ids").toString());
        assertEquals("u1", first.get("tenant").asText());
        assertEquals("chat-42", second.get("tenant").asText());
        assertTrue(first.get("timestamp").asLong() <= second.get("timestamp").asLong());
        for (var table : List.of("requests.arrow", "iterations.arrow", "events.arrow", "run.json", "summary.json")) {
            assertTrue(Files.exists(run.resolve(table)), table);
        }
        var served = RunResults.load(run).requests();
        assertEquals(3, served.rowCount());

        var exp = ExperimentFile.load(null, List.of("trace.file=" + run.resolve("trace.jsonl")));
        var replay = ExperimentRunner.run(exp, dir.resolve("replay"), new ExperimentRunner.Options(
                TestPlugins.defaultPlugins(dir.resolve("plugins")), (type, kind, from, to, detail) -> { }, null, null));
        assertEquals(3, replay.requests());
        var replayed = RunResults.load(dir.resolve("replay")).requests();
        assertArrayEquals(served.longs("input_tokens"), replayed.longs("input_tokens"));
        assertArrayEquals(served.longs("output_tokens"), replayed.longs("output_tokens"));
        assertEquals(List.of("u1", "chat-42", "default"), replayed.strings("tenant"));
    }
}

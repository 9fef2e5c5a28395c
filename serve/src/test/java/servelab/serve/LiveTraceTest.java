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
        var a = first.get("hash_ids");
        var b = second.get("hash_ids");
        assertEquals(2, a.size(), "two 512-token blocks");
        assertEquals(a.get(0), b.get(0), "the shared first block has the same id");
        assertTrue(!a.get(1).equals(b.get(1)));
        assertEquals(1, third.get("hash_ids").size());
        for (var ids : List.of(a, b, third.get("hash_ids"))) {
            for (var id : ids) assertTrue(id.asLong() >= 0 && id.asLong() < 1L << 53, id.toString()); // exact as a double
        }
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

    @Test
    void aPromptsIdsDependOnItAloneSoTheServerKeepsNoTableOfBlocks(@TempDir Path dir) throws Exception {
        // numbered in order of first sight, the ids needed a table of every block ever seen, kept for the server's
        // life (90 bytes a block); then a prompt's ids depended on what came before it
        String prompt = "{\"prompt\": \"" + "word ".repeat(600) + "\", \"max_tokens\": 2}";
        try (var s = Served.start(dir.resolve("alone"))) {
            assertEquals(200, s.post("/v1/completions", prompt).statusCode());
        }
        try (var s = Served.start(dir.resolve("after"))) {
            assertEquals(200, s.post("/v1/completions", "{\"prompt\": \"" + "other ".repeat(1200) + "\", \"max_tokens\": 2}").statusCode());
            assertEquals(200, s.post("/v1/completions", prompt).statusCode());
        }
        var alone = Served.JSON.readTree(Files.readAllLines(dir.resolve("alone/run/trace.jsonl")).get(0)).get("hash_ids");
        var after = Served.JSON.readTree(Files.readAllLines(dir.resolve("after/run/trace.jsonl")).get(1)).get("hash_ids");
        assertEquals(alone, after);
    }
}

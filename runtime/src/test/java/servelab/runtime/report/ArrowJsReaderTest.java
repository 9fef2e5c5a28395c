package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import servelab.runtime.record.Json;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.ResultTable;
import servelab.runtime.record.Rows;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.record.Slo;

/**
 * Opens our files with Apache Arrow JS, a reader this project did not write (src/test/arrow-js/read.mjs). Skipped
 * unless {@code node} is on the PATH and {@code npm ci --prefix runtime/src/test/arrow-js} has been run.
 */
class ArrowJsReaderTest {

    @TempDir
    Path tmp;

    @Test
    void arrowJsReadsEveryTableWithOurSchema() throws Exception {
        var script = scriptDir();
        assumeTrue(Files.isDirectory(script.resolve("node_modules/apache-arrow")),
                "run `npm ci --prefix runtime/src/test/arrow-js` first");
        assumeTrue(nodeWorks(), "node is not on the PATH");
        // given: a tiny run, with an SLO so slo_met is filled, a failed request, and no events at all
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withSlo(Slo.parse("ttft=50")))) {
            recorder.request(Rows.ok(7, 0, 10, 15, 25));
            recorder.request(Rows.failed(8, 1, "rejected"));
            recorder.iteration(Rows.iteration(0, 0, 10));
        }
        // when
        JsonNode printed = Json.MAPPER.readTree(runNode(script, dir));
        // then: the same tables, row counts, column names, types and nullability as our schema
        var rows = Map.of(ResultTable.REQUESTS, 2, ResultTable.ITERATIONS, 1, ResultTable.EVENTS, 0, ResultTable.CLUSTER, 0);
        for (var table : ResultTable.values()) {
            var js = printed.get(table.tableName());
            assertEquals(rows.get(table), js.get("rows").asInt(), table.tableName());
            assertEquals(ours(table), theirs(js), table.tableName());
        }
        // and: values survive, 64-bit integers included
        var first = printed.get("requests").get("first");
        assertEquals("7", first.get("request_id").asText());
        assertEquals(10.0, first.get("ttft_ms").asDouble());
        assertEquals(List.of(5.0, 10.0), List.of(first.get("itl_ms").get(0).asDouble(), first.get("itl_ms").get(1).asDouble()));
        assertEquals(true, first.get("slo_met").asBoolean());
    }

    private static List<String> ours(ResultTable table) {
        var out = new ArrayList<String>();
        for (var f : table.schema().getFields()) out.add(f.getName() + " " + Table.typeName(f) + " " + f.isNullable());
        return out;
    }

    private static List<String> theirs(JsonNode table) {
        var out = new ArrayList<String>();
        for (var c : table.get("columns")) {
            out.add(c.get("name").asText() + " " + c.get("type").asText() + " " + c.get("nullable").asBoolean());
        }
        return out;
    }

    private static String runNode(Path script, Path dir) throws IOException, InterruptedException {
        var process = new ProcessBuilder("node", "read.mjs", dir.toAbsolutePath().toString())
                .directory(script.toFile()).redirectErrorStream(true).start();
        var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // a generous bound only so a hung node cannot hang the build; nothing here measures time
        if (!process.waitFor(2, TimeUnit.MINUTES)) process.destroyForcibly();
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    private static boolean nodeWorks() {
        try {
            var p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Surefire runs in the runtime module; an IDE may run in the repository root. */
    private static Path scriptDir() {
        for (var candidate : List.of(Path.of("src/test/arrow-js"), Path.of("runtime/src/test/arrow-js"))) {
            if (Files.isDirectory(candidate)) return candidate.toAbsolutePath();
        }
        return Path.of("src/test/arrow-js").toAbsolutePath();
    }
}

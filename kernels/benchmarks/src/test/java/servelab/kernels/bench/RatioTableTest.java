package servelab.kernels.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatioTableTest {
    @TempDir Path work;

    private static String row(String engine, String kernels, int round, String cell, double value) {
        return String.format(java.util.Locale.ROOT, "{\"engine\":\"%s\",\"format\":\"Q8_0\",\"threads\":2,\"round\":%d,"
                + "\"cell\":\"%s\",\"value\":%s,\"load1\":1.0,\"weight_bytes\":1500000000%s}", engine, round, cell,
                value, kernels == null ? "" : ",\"kernels\":\"" + kernels + "\"");
    }

    @Test
    void batchOneIsAPercentOfTheFastestReadOfItsRoundAndTheRatioIsPerRound() throws Exception {
        var in = Files.write(work.resolve("rows.jsonl"), List.of(
                // round 1: the packed process read the file slower than the vector one; 20 tokens/s x 1.5 GB = 30 GB/s
                row("servelab", "cpu-vector", 1, "read_mapped", 40), row("servelab", "cpu-packed", 1, "read_mapped", 30),
                row("servelab", "cpu-packed", 1, "decode1", 20), row("llama.cpp", null, 1, "decode1", 25),
                // round 2: only one process read it
                row("servelab", "cpu-packed", 2, "read_mapped", 50), row("servelab", "cpu-packed", 2, "decode1", 25),
                row("llama.cpp", null, 2, "decode1", 20)));
        var json = work.resolve("out.json");
        RatioTable.main(new String[] {in.toString(), json.toString(), work.resolve("out.md").toString()});
        var cell = new ObjectMapper().readTree(json.toFile()).get("cells").get(0);
        assertEquals("cpu-packed", cell.get("kernels").asText());
        var percent = cell.get("servelab_percent_of_mapped_read");
        assertEquals(75.0, percent.get("min").asDouble(), 1e-9);  // 30 GB/s of 40, not of the packed process's 30
        assertEquals(75.0, percent.get("max").asDouble(), 1e-9);  // 37.5 GB/s of 50
        assertEquals(0.8, cell.get("ratio").get("min").asDouble(), 1e-9);
        assertEquals(1.25, cell.get("ratio").get("max").asDouble(), 1e-9);
    }
}

package servelab.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.exec.cost.CostModels;

/** Vidur's mlp.csv / attention.csv layout (a fixture written for this test, not Vidur's data) into measured steps. */
class VidurProfilesTest {
    @TempDir Path work;

    static Path fixture() throws URISyntaxException {
        return Path.of(VidurProfilesTest.class.getResource("/servelab/vidur/a100/tiny-llama/mlp.csv").toURI()).getParent();
    }

    @Test
    void composesEachAttentionRowWithTheTokenWiseOperationsOfItsTokenCount() throws Exception {
        // given: the fixture's tp=1 rows, 32 layers
        var imported = VidurProfiles.read(fixture(), 32, 1);
        // then: 8 decode and 6 prefill rows of tp 1 are usable; 16 rows of tp 2 and the two 4 x 256-token
        // prefills (1024 tokens, beyond mlp.csv's 512) are skipped
        assertEquals(14, imported.rows().size());
        assertEquals(18, imported.skipped());
        // the decode row batch 4 at context 1024: 32 x (token-wise ops at 4 tokens 0.01264 + attention 0.010096)
        // + embedding 0.00104 = 0.728592 ms
        var decode = imported.rows().stream().filter(r -> r.decodeTokens() == 4 && r.decodeContextTokens() == 4 * 1025)
                .findFirst().orElseThrow();
        assertEquals(4, decode.batchSeqs());
        assertEquals(0.728592, decode.stepMs(), 1e-4);
        // a prefill row of 2 chunks of 128 after 512 cached tokens: 256 tokens, 2 x (128 x 512 + 128 x 129 / 2) pairs
        var prefill = imported.rows().stream().filter(r -> r.prefillTokens() == 256 && r.batchSeqs() == 2
                && r.prefillAttentionPairs() == 2L * (128 * 512 + 128 * 129 / 2)).findFirst().orElseThrow();
        double mlp = 9 * 0.001 + 0.0001 * 256 * 9.1;
        double attention = 0.01 + 2e-7 * prefill.prefillAttentionPairs() + 0.001;
        assertEquals(32 * (mlp + attention) + 0.001 + 0.0001 * 256 * 0.1, prefill.stepMs(), 1e-4);
    }

    @Test
    void writesAProfileOverABaseThatTheCostModelLoads() throws Exception {
        // given: the import written over the bundled Llama-3-8B A100 profile
        var imported = VidurProfiles.read(fixture(), 32, 1);
        var written = VidurProfiles.writeProfile(imported, fixture(), "llama-3-8b/a100-80gb", 32, 1, work.resolve("a100.yaml"));
        // when
        var model = CostModels.load(written.yaml().toString());
        // then: measured step times, KV from the base profile
        assertTrue(model.describe().startsWith("measured llama-3-8b on a100-80gb"), model.describe());
        assertEquals(CostModels.load("llama-3-8b/a100-80gb").kvCapacityBlocks(16), model.kvCapacityBlocks(16));
        // and a decode step of the table is predicted within the fit's accepted error
        double predicted = model.stepNanos(0, 4, 4, 0, 4 * 1025) / 1e6;
        assertEquals(0.728592, predicted, 0.25 * 0.728592);
    }

    @Test
    void aMissingColumnIsNamedWithItsFile() throws Exception {
        // given: attention.csv without is_prefill
        Files.copy(fixture().resolve("mlp.csv"), work.resolve("mlp.csv"));
        var lines = Files.readAllLines(fixture().resolve("attention.csv"));
        Files.writeString(work.resolve("attention.csv"), String.join("\n", lines).replace("is_prefill", "prefill_flag"));
        // when / then
        var e = assertThrows(IOException.class, () -> VidurProfiles.read(work, 32, 1));
        assertTrue(e.getMessage().contains("attention.csv: column 'is_prefill' is missing"), e.getMessage());
    }

    @Test
    void aBadNumberIsNamedWithItsLineAndColumn() throws Exception {
        Files.copy(fixture().resolve("attention.csv"), work.resolve("attention.csv"));
        var lines = Files.readAllLines(fixture().resolve("mlp.csv"));
        var cells = lines.get(2).split(",", -1);
        cells[3] = "fast"; // time_stats.emb.median
        lines.set(2, String.join(",", cells));
        Files.write(work.resolve("mlp.csv"), lines);
        var e = assertThrows(IOException.class, () -> VidurProfiles.read(work, 32, 1));
        assertTrue(e.getMessage().contains("mlp.csv line 3 column 4 (time_stats.emb.median): must be a number"), e.getMessage());
    }
}

package servelab.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.calibrate.GridPoint.Decode;
import servelab.runtime.calibrate.GridPoint.Prefill;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.cost.CostModels;

class CalibrationTest {
    @TempDir Path work;

    @Test
    void aRowCountsTokensPairsAndContextAsTheEngineDoes() {
        // given: a 64-token chunk after 128 cached tokens beside decodes at positions 10 and 20
        var row = GridPoint.of(new Prefill(64, 128), new Decode(10), new Decode(20)).row(2.0);
        // then: causal pairs n*p + n(n+1)/2; each decode attends to its position + 1 keys
        assertEquals(64, row.prefillTokens());
        assertEquals(2, row.decodeTokens());
        assertEquals(3, row.batchSeqs());
        assertEquals(64L * 128 + 64 * 65 / 2, row.prefillAttentionPairs());
        assertEquals(11 + 21, row.decodeContextTokens());
    }

    @Test
    void theDesignSeparatesEveryTermAndHoldsOutEveryFifthPoint() {
        var grid = CalibrationGrid.design(512, 4096, 16, false);
        var rows = grid.points().stream().map(p -> p.row(1)).toList();
        // prefill from scratch and after a cached prefix (tokens apart from attention pairs)
        assertTrue(rows.stream().anyMatch(r -> r.decodeTokens() == 0 && r.prefillAttentionPairs() > (long) r.prefillTokens() * r.prefillTokens()));
        assertTrue(rows.stream().anyMatch(r -> r.decodeTokens() == 0 && r.batchSeqs() == 1 && r.prefillAttentionPairs() == (long) r.prefillTokens() * (r.prefillTokens() + 1) / 2));
        // one decode batch size at several contexts (tokens apart from context)
        assertTrue(rows.stream().filter(r -> r.prefillTokens() == 0 && r.decodeTokens() == 16).map(r -> r.decodeContextTokens()).distinct().count() >= 4);
        // every decode batch from 1 to 16 (the quantized kernels' time is a staircase in the batch, period four)
        for (int b = 1; b <= 16; b++) {
            int batch = b;
            assertTrue(rows.stream().anyMatch(r -> r.prefillTokens() == 0 && r.decodeTokens() == batch), "batch " + b);
        }
        // several prefill chunks in a step (sequences apart from tokens) and mixed steps
        assertTrue(rows.stream().anyMatch(r -> r.decodeTokens() == 0 && r.batchSeqs() > 1));
        assertTrue(rows.stream().anyMatch(r -> r.decodeTokens() > 0 && r.prefillTokens() > 0));
        int held = 0;
        for (boolean h : grid.heldOut()) if (h) held++;
        assertEquals(grid.size() / CalibrationGrid.HOLD_OUT, held);
    }

    @Test
    void theDesignLeavesOutStepsTheContextOrThePoolCannotHold() {
        var grid = CalibrationGrid.design(128, 20, 16, false);
        assertTrue(grid.size() > 10, "some points fit: " + grid.size());
        for (var p : grid.points()) {
            assertTrue(p.maxEnd() <= 128 && p.blocks(16) <= 20, p.toString());
        }
    }

    @Test
    void theProvenanceNamesTheThreadsTheKernelsRanOn() {
        // cpu-reference runs on one thread whatever --threads says; the provenance said "2 kernel threads"
        var reference = new Calibrator.Settings(work.resolve("m.gguf"), Backend.CPU_REFERENCE, 2, true, 1, 16, 3);
        assertEquals("1", Calibrator.provenance(reference).get("threads"));
        var vector = new Calibrator.Settings(work.resolve("m.gguf"), Backend.CPU_VECTOR, 2, true, 1, 16, 3);
        assertEquals("2", Calibrator.provenance(vector).get("threads"));
    }

    @Test
    void calibratesAGeneratedModelIntoAProfileWithItsPoolAndProvenance() throws Exception {
        // given: the demo's tiny generated model
        var model = work.resolve("tiny.gguf");
        RandomLlama.write(model, RandomLlama.Spec.tiny(WeightFormat.Q8_0), 7);
        // when: a quick calibration on one thread
        var c = Calibrator.run(new Calibrator.Settings(model, Backend.CPU_VECTOR, 1, true, 1, 16, 3), (done, total) -> {});
        var written = ProfileWriter.write(c, work.resolve("profiles/tiny-cpu.yaml"));
        // then: one row per designed step, each the median of at least three rounds
        assertEquals(CalibrationGrid.design(512, c.poolBlocks() - Calibrator.SWAP_BLOCKS - 1, 16, true).size(), c.rows().size());
        assertTrue(c.rounds() >= Calibrator.MIN_ROUNDS);
        // the profile loads, holds exactly the real pool, and says where it was measured
        var loaded = CostModels.load(written.yaml().toString());
        assertEquals(c.poolBlocks(), loaded.kvCapacityBlocks(16));
        assertTrue(loaded.describe().startsWith("measured tiny on cpu-"), loaded.describe());
        // and the model's context (its simulation took requests the real model refuses, and validate compared them)
        assertEquals(512, loaded.maxModelLen());
        // and the fit it reloads is the one the profile quotes (the CSV kept step times to 0.1 us, and a reloaded
        // profile's errors differed from the quoted ones by up to 0.8 points)
        var reloaded = ((servelab.runtime.exec.cost.MeasuredCostModel) loaded).fit();
        assertEquals(c.fullFit().rmsRelativeError(), reloaded.rmsRelativeError(), 1e-12);
        assertEquals(c.fullFit().maxRelativeError(), reloaded.maxRelativeError(), 1e-12);
        assertEquals(c.rows(), CostModels.loadProfile(written.yaml().toString()).measured().orElseThrow().rows());
        var csv = Files.readString(written.csv());
        for (var key : new String[] {"# machine: ", "# cpu: ", "# threads: 1", "# jdk: ", "# date: ", "# servelab: "}) {
            assertTrue(csv.contains(key), key + " in\n" + csv);
        }
        assertTrue(Files.readString(written.yaml()).contains("held-out"), Files.readString(written.yaml()));
        // swap: the measured copy time of one block prices a one-block swap
        assertEquals(c.copyNanosPerBlock(), loaded.swapNanos(1, 16), 0.01 * c.copyNanosPerBlock() + 1);
    }

    @Test
    void theHeldOutErrorIsReportedWithAndWithoutTheTokenCountFactors() {
        // given: the design's decode batches and prefill chunks timed by an executor that takes inputs four at a time
        // (two or three leftovers padded, one alone at about half a pass), as the CPU kernels do
        var grid = CalibrationGrid.design(2048, 4096, 16, false);
        var rows = grid.points().stream().map(p -> {
            var shape = p.row(1);
            int tokens = shape.prefillTokens() + shape.decodeTokens();
            int passes = tokens / 4 + (tokens % 4 >= 2 ? 1 : 0);
            double ms = 1 + 6 * passes + (tokens % 4 == 1 ? 3.5 : 0) + 2e-6 * shape.decodeContextTokens()
                    + 1e-6 * shape.prefillAttentionPairs();
            return p.row(ms);
        }).toList();
        // when
        double[] withFactors = Calibration.heldOutError(rows, grid.heldOut(), true);
        double[] planes = Calibration.heldOutError(rows, grid.heldOut(), false);
        // then: the factors follow the staircase on rows they never saw; the planes alone cannot
        assertTrue(withFactors[0] < planes[0] / 2 && withFactors[1] < planes[1],
                "with factors " + java.util.Arrays.toString(withFactors) + ", planes " + java.util.Arrays.toString(planes));
    }
}

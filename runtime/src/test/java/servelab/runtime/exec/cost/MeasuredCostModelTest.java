package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MeasuredCostModelTest {
    /** A measured-table profile laid over the bundled tiny/cpu, as a calibration run writes it. */
    private static final String CALIBRATED = """
            base: tiny/cpu
            derivation: synthetic rows written by a test
            measured:
              csv: steps.csv
              max_relative_error: %s
            """;
    private static final String HEADER = "prefill_tokens,decode_tokens,batch_seqs,prefill_attention_pairs,decode_context_tokens,step_ms";

    /** Made-up truth: 2 ms + 20 us/prefill token + 50 us/decode token + 10 us/seq + 0.5 ns/pair + 2 ns/context token. */
    private static final TableFit.Plane TRUTH = new TableFit.Plane(2e6, 2e4, 5e4, 1e4, 0.5, 2);

    @TempDir
    Path dir;

    @Test
    void recoversTheCoefficientsOfAnExactlyLinearTable() {
        var fit = TableFit.fit(rows(s -> TRUTH.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                s.prefillAttentionPairs(), s.decodeContextTokens()) / 1e6));
        // then: one plane, equal to the truth
        assertTrue(fit.isSinglePlane(), fit.summary());
        var plane = fit.memoryPlane();
        assertEquals(2e6, plane.interceptNanos(), 1e-3);
        assertEquals(2e4, plane.nanosPerPrefillToken(), 1e-6);
        assertEquals(5e4, plane.nanosPerDecodeToken(), 1e-6);
        assertEquals(1e4, plane.nanosPerSeq(), 1e-6);
        assertEquals(0.5, plane.nanosPerAttentionPair(), 1e-9);
        assertEquals(2, plane.nanosPerDecodeContextToken(), 1e-9);
        assertTrue(fit.maxRelativeError() < 1e-9, fit.summary());
    }

    @Test
    void reproducesNoisyRowsWithinTheErrorItReports() {
        // given: the truth with +-3% multiplicative noise, from a fixed seed
        var random = new Random(7);
        var steps = rows(s -> TRUTH.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                s.prefillAttentionPairs(), s.decodeContextTokens()) / 1e6 * (1 + 0.06 * (random.nextDouble() - 0.5)));
        var model = load(steps, "0.05");
        // then: every row within the reported worst error, which is within the noise plus a little fitting slack
        var fit = model.fit();
        for (var s : steps) {
            double predicted = model.stepNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                    s.prefillAttentionPairs(), s.decodeContextTokens());
            assertEquals(s.stepMs() * 1e6, predicted, s.stepMs() * 1e6 * fit.maxRelativeError() + 1, s.toString());
        }
        assertTrue(fit.maxRelativeError() < 0.05 && fit.rmsRelativeError() < 0.03, fit.summary());
        // and: steps the table does not contain are predicted within the noise (a decode batch of 32, a 384 prefill)
        double decode32 = TRUTH.predictNanos(0, 32, 32, 0, 32 * 1024);
        assertEquals(decode32, model.stepNanos(0, 32, 32, 0, 32 * 1024), 0.05 * decode32, fit.summary());
        double prefill384 = TRUTH.predictNanos(384, 0, 1, 384 * 385 / 2, 0);
        assertEquals(prefill384, model.stepNanos(384, 0, 1, 384 * 385 / 2, 0), 0.05 * prefill384, fit.summary());
    }

    @Test
    void loadsTheTableFromACsvBesideTheProfileAndKeepsTheBaseMemoryModel() {
        var model = load(rows(s -> 1 + s.prefillTokens() * 0.01 + s.decodeTokens() * 0.1), "0.01");
        var roofline = CostModels.load("tiny/cpu");
        assertTrue(model.describe().startsWith("measured tiny on cpu (f32, tp=1) (" + rows(s -> 1).size() + " rows"), model.describe());
        // memory comes from the shapes and device of the base profile, not from the table
        assertEquals(roofline.kvCapacityBlocks(16), model.kvCapacityBlocks(16));
        assertEquals(roofline.swapNanos(3, 16), model.swapNanos(3, 16));
        assertEquals(0, model.stepNanos(0, 0, 0, 0, 0));
    }

    @Test
    void fitsARooflineShapedTableWithTwoPlanes() {
        // given: rows from the bundled tiny/cpu roofline, which turns from memory- to compute-bound at about 8 decodes;
        // one plane misses such a table by about 30% at the knee
        var roofline = CostModels.load("tiny/cpu");
        var steps = rows(s -> roofline.stepNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                s.prefillAttentionPairs(), s.decodeContextTokens()) / 1e6);
        // when: the planes alone (the token-count factors, TokenFactorsTest, are for what planes cannot follow)
        var fit = TableFit.fit(steps, false);
        // then: the maximum of two planes reproduces it (the roofline is itself such a maximum, up to its LM-head term)
        assertTrue(!fit.isSinglePlane() && fit.maxRelativeError() < 0.05, fit.summary());
        // and: with the factors, which interpolate between this table's few token counts, within 6%
        assertTrue(load(steps, "0.06").fit().maxRelativeError() < 0.06);
    }

    @Test
    void refusesATableItCannotReproduceWithinTheProfilesError() {
        // given: the truth with +-20% noise, which no monotone model can follow
        var random = new Random(11);
        var steps = rows(s -> TRUTH.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                s.prefillAttentionPairs(), s.decodeContextTokens()) / 1e6 * (1 + 0.4 * (random.nextDouble() - 0.5)));
        var fit = TableFit.fit(steps);
        // when: the profile accepts only 1%
        var e = assertThrows(CostProfileException.class, () -> load(steps, "0.01"));
        // then: the error names the file, the field, the table and the row the fit misses
        assertEquals("measured.max_relative_error", e.field());
        assertTrue(e.getMessage().contains("calibrated.yaml") && e.getMessage().contains("steps.csv")
                && e.getMessage().contains("row " + (fit.worstRow() + 1)), e.getMessage());
        // and: accepting the error the fit reports loads it
        var accepted = load(steps, Double.toString(fit.maxRelativeError() + 1e-9)).fit();
        assertEquals(fit.maxRelativeError(), accepted.maxRelativeError(), 1e-12);
    }

    @Test
    void reportsTheCsvLineAndColumnOfABadCell() {
        TestProfiles.write(dir, "steps.csv", "# provenance comment\n" + HEADER + "\n128,0,1,8256,0,41.5\n0,8,eight,0,2048,12.25\n");
        var e = assertThrows(CostProfileException.class, () -> CostModels.load(TestProfiles.write(dir, "calibrated.yaml", CALIBRATED.formatted("0.1"))));
        assertEquals("batch_seqs", e.field());
        assertTrue(e.getMessage().contains("steps.csv line 4") && e.getMessage().contains("'eight'"), e.getMessage());
    }

    @Test
    void namesAnUnknownColumnAndListsTheAcceptedOnes() {
        TestProfiles.write(dir, "steps.csv", HEADER.replace("step_ms", "step_s") + "\n");
        var e = assertThrows(CostProfileException.class, () -> CostModels.load(TestProfiles.write(dir, "calibrated.yaml", CALIBRATED.formatted("0.1"))));
        assertTrue(e.getMessage().contains("column 'step_s' is not a known column") && e.getMessage().contains("step_ms"), e.getMessage());
    }

    @Test
    void refusesATableWithoutDecodeRowsBecauseDecodeWouldBeFree() {
        var prefillOnly = rows(s -> 1).stream().filter(s -> s.decodeTokens() == 0).toList();
        var e = assertThrows(CostProfileException.class, () -> load(prefillOnly, "0.5"));
        assertEquals("measured.csv", e.field());
        assertTrue(e.getMessage().contains("calibrated.yaml") && e.getMessage().contains("decode_tokens > 0"), e.getMessage());
    }

    @Test
    void refusesATableWithFewerRowsThanCoefficients() {
        var e = assertThrows(CostProfileException.class, () -> load(rows(s -> 1).subList(0, 5), "0.5"));
        assertTrue(e.getMessage().contains("at least 6 rows"), e.getMessage());
    }

    /** Prefill chunks, decode batches and mixed steps, with step_ms from {@code time}. */
    static List<MeasuredStep> rows(ToDoubleFunction<MeasuredStep> time) {
        var shapes = new ArrayList<MeasuredStep>();
        for (int n : new int[] {16, 64, 256, 512}) {
            for (int p : new int[] {0, 512}) shapes.add(new MeasuredStep(n, 0, 1, (long) n * p + (long) n * (n + 1) / 2, 0, 1));
        }
        for (int batch : new int[] {1, 4, 16, 64}) {
            for (int context : new int[] {128, 2048}) shapes.add(new MeasuredStep(0, batch, batch, 0, (long) batch * context, 1));
        }
        shapes.add(new MeasuredStep(4 * 64, 0, 4, 4 * (64 * 65 / 2), 0, 1)); // four 64-token prompts
        shapes.add(new MeasuredStep(128, 8, 9, 128L * 1024 + 128 * 129 / 2, 8 * 512, 1));
        shapes.add(new MeasuredStep(64, 32, 33, 64L * 64 + 64 * 65 / 2, 32 * 1024, 1));
        return shapes.stream().map(s -> new MeasuredStep(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                s.prefillAttentionPairs(), s.decodeContextTokens(), time.applyAsDouble(s))).toList();
    }

    private MeasuredCostModel load(List<MeasuredStep> steps, String maxRelativeError) {
        return load(dir, steps, maxRelativeError);
    }

    /** Writes the rows as steps.csv and a profile over tiny/cpu that uses them into {@code dir}, and loads it. */
    static MeasuredCostModel load(Path dir, List<MeasuredStep> steps, String maxRelativeError) {
        var csv = new StringBuilder("# synthetic\n" + HEADER + "\n");
        for (var s : steps) {
            csv.append(s.prefillTokens()).append(',').append(s.decodeTokens()).append(',').append(s.batchSeqs()).append(',')
                    .append(s.prefillAttentionPairs()).append(',').append(s.decodeContextTokens()).append(',')
                    .append(s.stepMs()).append('\n');
        }
        TestProfiles.write(dir, "steps.csv", csv.toString());
        var model = CostModels.load(TestProfiles.write(dir, "calibrated.yaml", CALIBRATED.formatted(maxRelativeError)));
        return assertInstanceOf(MeasuredCostModel.class, model);
    }
}

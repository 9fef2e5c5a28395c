package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fit's residual by token count ({@link TableFit.TokenFactors}): the staircase of kernels that group inputs. */
class TokenFactorsTest {
    @TempDir
    Path dir;

    /**
     * Made-up executor that takes inputs four at a time, as the CPU kernels do: a pass over the weights costs 6 ms,
     * one lone input 3.5 ms, two or three leftovers are padded to a full pass; plus 1 ms and 2 ns per context token.
     */
    private static double staircaseMs(int tokens, long contextTokens) {
        int groups = tokens / 4 + (tokens % 4 >= 2 ? 1 : 0);
        double lone = tokens % 4 == 1 ? 3.5 : 0;
        return 1 + 6 * groups + lone + 2e-6 * contextTokens;
    }

    /** Decode batches 1-8, 12, 16 at three contexts, and prefill chunks, timed by the staircase. */
    private static List<MeasuredStep> staircaseRows() {
        var rows = new ArrayList<MeasuredStep>();
        for (int b : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 12, 16}) {
            for (int context : new int[] {64, 512, 2048}) {
                long ctx = (long) b * context;
                rows.add(new MeasuredStep(0, b, b, 0, ctx, staircaseMs(b, ctx)));
            }
        }
        for (int n : new int[] {8, 16, 64, 256}) {
            for (int p : new int[] {0, 256}) {
                rows.add(new MeasuredStep(n, 0, 1, (long) n * p + (long) n * (n + 1) / 2, 0, staircaseMs(n, 0)));
            }
        }
        return rows;
    }

    @Test
    void theFactorsPriceEveryMeasuredBatchOfAStaircaseThePlanesAverageOver() {
        var rows = staircaseRows();
        // when
        var planes = TableFit.fit(rows, false);
        var fit = TableFit.fit(rows);
        // then: planes alone miss sizes of the staircase by over 15% (2 tokens cost as much as 4)
        assertTrue(planes.maxRelativeError() > 0.15, planes.summary());
        assertTrue(planes.factors().isNone());
        // and: with the factors every row is within 6%, a quarter of the rms (a factor multiplies the planes, while
        // this executor's context term adds to its staircase, so one factor per token count cannot be exact)
        assertTrue(fit.maxRelativeError() < 0.06 && fit.rmsRelativeError() < planes.rmsRelativeError() / 4,
                fit.summary() + " against " + planes.summary());
        for (int b : new int[] {2, 4, 5, 7}) {
            double truth = staircaseMs(b, b * 512L);
            assertEquals(truth, fit.predictNanos(0, b, b, 0, b * 512L) / 1e6, 0.03 * truth, b + " tokens: " + fit.summary());
        }
        assertTrue(fit.summary().contains("factor by tokens"), fit.summary());
    }

    @Test
    void anExactlyLinearTableHasFactorsOfOne() {
        var truth = new TableFit.Plane(2e6, 2e4, 5e4, 1e4, 0.5, 2);
        var fit = TableFit.fit(MeasuredCostModelTest.rows(s -> truth.predictNanos(s.prefillTokens(), s.decodeTokens(),
                s.batchSeqs(), s.prefillAttentionPairs(), s.decodeContextTokens()) / 1e6));
        assertTrue(!fit.factors().isNone(), fit.summary());
        for (double f : fit.factors().factors()) assertEquals(1, f, 1e-9, fit.summary());
    }

    @Test
    void interpolatesBetweenMeasuredTokenCountsAndHoldsTheEnds() {
        var factors = new TableFit.TokenFactors(new long[] {2, 4, 8}, new double[] {1.2, 0.8, 1.0});
        assertEquals(1.2, factors.at(1), 1e-12);
        assertEquals(1.2, factors.at(2), 1e-12);
        assertEquals(1.0, factors.at(3), 1e-12);
        assertEquals(0.8, factors.at(4), 1e-12);
        assertEquals(0.9, factors.at(6), 1e-12);
        assertEquals(1.0, factors.at(1000), 1e-12);
        assertEquals(1, TableFit.TokenFactors.NONE.at(7), 0);
        assertThrows(IllegalArgumentException.class, () -> new TableFit.TokenFactors(new long[] {4, 2}, new double[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new TableFit.TokenFactors(new long[] {2}, new double[] {0}));
    }

    @Test
    void aTokenCountWithOneRowGetsNoFactor() {
        var rows = new ArrayList<>(staircaseRows());
        rows.add(new MeasuredStep(0, 40, 40, 0, 40 * 64, 500)); // far off the planes, and alone at 40 tokens
        var fit = TableFit.fit(rows);
        for (long t : fit.factors().tokens()) assertTrue(t != 40, fit.summary());
    }

    @Test
    void aProfileCanTurnTheFactorsOffAndABadValueNamesTheKey() {
        var rows = staircaseRows();
        var on = MeasuredCostModelTest.load(dir, rows, "0.5");
        assertTrue(!on.fit().factors().isNone(), on.fit().summary());
        var off = MeasuredCostModelTest.load(dir, rows, "0.5\n  token_factors: false");
        assertTrue(off.fit().factors().isNone(), off.fit().summary());
        assertTrue(off.stepNanos(0, 2, 2, 0, 1024) < on.stepNanos(0, 2, 2, 0, 1024) * 0.9,
                "the planes alone underprice two tokens: " + off.fit().summary());
        var e = assertThrows(CostProfileException.class, () -> MeasuredCostModelTest.load(dir, rows, "0.5\n  token_factors: maybe"));
        assertEquals("measured.token_factors", e.field());
        assertTrue(e.getMessage().contains("true or false"), e.getMessage());
    }
}

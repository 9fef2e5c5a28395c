package servelab.runtime.calibrate;

import java.util.Arrays;
import java.util.List;

import servelab.runtime.exec.cost.MeasuredStep;
import servelab.runtime.exec.cost.StepOverhead;
import servelab.runtime.exec.cost.TableFit;

/**
 * How the grid's table compares with steps an engine ran ({@link EngineSteps}), and the overhead that closes the gap.
 *
 * @param rows             the engine's steps, in run order
 * @param overhead         the fitted overhead ({@link StepOverhead#fit})
 * @param tableShare       the table's predicted busy time over the engine's measured busy time (sum over rows)
 * @param withOverheadShare the same with the overhead added
 * @param medianRatio      median over rows of measured / table-predicted time
 * @param withOverheadMedianRatio the same with the overhead added
 */
public record EngineFit(List<MeasuredStep> rows, StepOverhead overhead, double tableShare, double withOverheadShare,
                        double medianRatio, double withOverheadMedianRatio) {

    public EngineFit {
        rows = List.copyOf(rows);
    }

    /** The overhead of {@code rows} over {@code table}, and the figures that say how much it changes. */
    public static EngineFit of(List<MeasuredStep> rows, TableFit table) {
        var overhead = StepOverhead.fit(rows, table);
        double measured = 0, predicted = 0, withOverhead = 0;
        var ratios = new double[rows.size()];
        var withRatios = new double[rows.size()];
        for (int i = 0; i < ratios.length; i++) {
            var s = rows.get(i);
            double t = table.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(), s.prefillAttentionPairs(),
                    s.decodeContextTokens());
            measured += s.stepMs() * 1e6;
            predicted += t;
            withOverhead += t + overhead.nanos(s.batchSeqs(), t);
            ratios[i] = s.stepMs() * 1e6 / Math.max(1, t);
            withRatios[i] = s.stepMs() * 1e6 / Math.max(1, t + overhead.nanos(s.batchSeqs(), t));
        }
        Arrays.sort(ratios);
        Arrays.sort(withRatios);
        return new EngineFit(rows, overhead, predicted / measured, withOverhead / measured, ratios[ratios.length / 2],
                withRatios[withRatios.length / 2]);
    }
}

package servelab.runtime.exec.cost;

import java.util.List;

/**
 * What a step costs in an engine run beyond what its measured table (a grid of steps timed back to back) predicts:
 * {@code stepNanos + perSeqNanos x sequences + fraction x table}, added to the table's time {@code table}. A profile
 * states it in {@code measured.overhead_per_step_us}, {@code overhead_per_seq_us} and {@code overhead_fraction};
 * without them it is {@link #NONE} and the table's time is the step's time, exactly as before the term existed.
 *
 * <p>Why a calibration needs it: a grid point is timed in a tight loop and summarised by its median, so the grid
 * misses what steps pay when an engine runs them among its own work: caches the scheduler and the recorder have
 * cooled, kernel threads that went to sleep between steps, garbage collections (the forward pass allocates), and
 * the spread of real batches (mixed contexts, scattered blocks) around the grid's regular shapes. The first is a
 * cost per step (and per sequence); collections and time lost to other threads grow with the work and the length
 * of the step, hence the fraction of the table's time. {@link #fit} reads the terms from steps an engine ran: their
 * mean excess over the table's prediction, so the simulated run's total busy time matches the engine's. Immutable.
 *
 * @param stepNanos   paid once per step that computes tokens, ns &ge; 0
 * @param perSeqNanos per sequence in the step, ns &ge; 0
 * @param fraction    of the table's time, &ge; 0 (0.05: 5% longer)
 */
public record StepOverhead(double stepNanos, double perSeqNanos, double fraction) {
    /** No overhead: the table's time is the step's time. */
    public static final StepOverhead NONE = new StepOverhead(0, 0, 0);

    public StepOverhead {
        check("measured.overhead_per_step_us", stepNanos / 1e3);
        check("measured.overhead_per_seq_us", perSeqNanos / 1e3);
        check("measured.overhead_fraction", fraction);
    }

    private static void check(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw CostProfileException.field(field, "must be >= 0 and finite, was " + value);
        }
    }

    /** Overhead of a step of {@code seqs} sequences whose table time is {@code tableNanos}, ns; never allocates. */
    public double nanos(int seqs, double tableNanos) {
        return stepNanos + perSeqNanos * seqs + fraction * tableNanos;
    }

    public boolean isNone() {
        return stepNanos == 0 && perSeqNanos == 0 && fraction == 0;
    }

    /**
     * The overhead that makes {@code table}'s predictions plus it match {@code engineSteps} (steps an engine ran, with
     * their measured times) in the least-squares sense on absolute time, coefficients &ge; 0: the mean, not the
     * median, because a simulation must reproduce the engine's busy time, spikes included. Rows the table already
     * overestimates pull the terms down, to 0 at the least.
     *
     * @throws IllegalArgumentException with fewer than 3 rows (three coefficients)
     */
    public static StepOverhead fit(List<MeasuredStep> engineSteps, TableFit table) {
        if (engineSteps.size() < 3) {
            throw new IllegalArgumentException("an overhead fit needs at least 3 engine steps, was " + engineSteps.size());
        }
        var a = new double[engineSteps.size()][];
        var b = new double[engineSteps.size()];
        for (int i = 0; i < a.length; i++) {
            var s = engineSteps.get(i);
            double predicted = table.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                    s.prefillAttentionPairs(), s.decodeContextTokens());
            a[i] = new double[] {1, s.batchSeqs(), predicted};
            b[i] = s.stepMs() * 1e6 - predicted;
        }
        var x = NonNegativeLeastSquares.solve(a, b);
        return new StepOverhead(x[0], x[1], x[2]);
    }

    /** E.g. {@code 21.3 us/step + 0.400 us/seq + 4.20% of the table's time}. */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "%.4g us/step + %.4g us/seq + %.2f%% of the table's time",
                stepNanos / 1e3, perSeqNanos / 1e3, 100 * fraction);
    }
}

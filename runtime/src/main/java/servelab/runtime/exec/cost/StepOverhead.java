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
 * cooled, kernel threads that went to sleep between steps, and the spread of real batches (mixed contexts, scattered blocks) around the grid's regular shapes. Some of it is a cost
 * per step (and per sequence), some grows with the step's work, hence the fraction of the table's time. {@link #fit}
 * reads the terms from steps an engine ran: their typical (median-like) excess over the table's prediction. Immutable.
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
     * their measured times) in the least-absolute-relative-deviations sense, coefficients &ge; 0: the typical step, as
     * the table's medians are, so the rare slow step (a collection, another process taking the core) moves it no more
     * than any other. A mean fit would spread that tail over every step, and its size follows the machine's load at
     * calibration time, not the workload. Rows the table already overestimates pull the terms down, to 0 at the least.
     * Solved by iteratively reweighted non-negative least squares (weights 1 / |residual|, at most
     * {@value #IRLS_ROUNDS} rounds).
     *
     * @throws IllegalArgumentException with fewer than 3 rows (three coefficients)
     */
    public static StepOverhead fit(List<MeasuredStep> engineSteps, TableFit table) {
        int n = engineSteps.size();
        if (n < 3) throw new IllegalArgumentException("an overhead fit needs at least 3 engine steps, was " + n);
        // rows divided by the measured time, as the table's own fit does: relative deviations, so a 0.2 ms decode
        // step counts as much as a 20 ms prefill
        var a = new double[n][];
        var b = new double[n];
        for (int i = 0; i < n; i++) {
            var s = engineSteps.get(i);
            double measured = s.stepMs() * 1e6;
            double predicted = table.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                    s.prefillAttentionPairs(), s.decodeContextTokens());
            a[i] = new double[] {1 / measured, s.batchSeqs() / measured, predicted / measured};
            b[i] = (measured - predicted) / measured;
        }
        // relative residuals below this count as this: no row's weight is unbounded
        double floor = 1e-6;
        var x = NonNegativeLeastSquares.solve(a, b);
        var wa = new double[n][3];
        var wb = new double[n];
        for (int round = 0; round < IRLS_ROUNDS; round++) {
            for (int i = 0; i < n; i++) {
                double r = b[i] - (x[0] * a[i][0] + x[1] * a[i][1] + x[2] * a[i][2]);
                double w = Math.sqrt(1 / Math.max(Math.abs(r), floor));
                for (int j = 0; j < 3; j++) wa[i][j] = a[i][j] * w;
                wb[i] = b[i] * w;
            }
            var next = NonNegativeLeastSquares.solve(wa, wb);
            double change = 0;
            for (int j = 0; j < 3; j++) change = Math.max(change, Math.abs(next[j] - x[j]) * columnMax(a, j));
            x = next;
            if (change < floor) break;
        }
        return new StepOverhead(x[0], x[1], x[2]);
    }

    /** Reweighting rounds of the least-absolute-deviations fit; it settles in a few dozen. */
    static final int IRLS_ROUNDS = 100;

    private static double columnMax(double[][] a, int j) {
        double m = 0;
        for (var row : a) m = Math.max(m, Math.abs(row[j]));
        return m;
    }

    /** E.g. {@code 21.3 us/step + 0.400 us/seq + 4.20% of the table's time}. */
    public String summary() {
        return String.format(java.util.Locale.ROOT, "%.4g us/step + %.4g us/seq + %.2f%% of the table's time",
                stepNanos / 1e3, perSeqNanos / 1e3, 100 * fraction);
    }
}

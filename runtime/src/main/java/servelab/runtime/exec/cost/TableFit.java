package servelab.runtime.exec.cost;

import java.util.List;

/**
 * A linear model of step time fitted to measured steps:
 * <pre>
 *   t [ns] = a + b * prefill_tokens + c * decode_tokens + d * batch_seqs
 *              + e * prefill_attention_pairs + f * decode_context_tokens
 * </pre>
 * with every coefficient constrained to be &ge; 0, so the model is monotone (more work never takes less time) and
 * never negative, also outside the measured range, where it extrapolates linearly.
 *
 * <p>Why this and not interpolation: measured rows are scattered in a five-dimensional space, not a grid, so
 * piecewise-linear interpolation has no honest definition between rows and none outside them. Each term has a
 * physical reading (a: fixed step cost including weight reads; b, c: per-token matmul cost; d: per-sequence
 * bookkeeping and sampling; e: prefill attention; f: KV reads of decode attention).
 *
 * <p>What it cannot express: the roofline's max(compute, memory) knee. Where a step switches from memory-bound to
 * compute-bound inside the table, the fit averages the two regimes, and {@link #maxRelativeError} shows it.
 *
 * <p>The fit minimises the sum of squared <em>relative</em> errors (rows weighted by 1 / measured time), because
 * short decode steps and long prefill steps matter equally to a latency simulation; plain least squares would fit
 * the long steps and leave the short ones tens of percent off.
 *
 * @param rows              rows fitted
 * @param rmsRelativeError  root mean square of |predicted - measured| / measured over the rows
 * @param maxRelativeError  the largest such error
 * @param worstRow          index (0-based, in table order) of the row with the largest error
 */
public record TableFit(double interceptNanos, double nanosPerPrefillToken, double nanosPerDecodeToken,
                       double nanosPerSeq, double nanosPerAttentionPair, double nanosPerDecodeContextToken,
                       int rows, double rmsRelativeError, double maxRelativeError, int worstRow) {

    /** Coefficients fitted, and so the fewest rows a table must have. */
    public static final int COEFFICIENTS = 6;

    public TableFit {
        double[] all = {interceptNanos, nanosPerPrefillToken, nanosPerDecodeToken, nanosPerSeq, nanosPerAttentionPair,
                nanosPerDecodeContextToken};
        for (double c : all) {
            if (!(c >= 0) || Double.isInfinite(c)) throw new IllegalArgumentException("TableFit coefficients must be >= 0 and finite, was " + c);
        }
    }

    /** Fits the rows (at least {@link #COEFFICIENTS}). */
    public static TableFit fit(List<MeasuredStep> steps) {
        if (steps.size() < COEFFICIENTS) {
            throw new IllegalArgumentException("a fit needs at least " + COEFFICIENTS + " rows, was " + steps.size());
        }
        var a = new double[steps.size()][];
        var b = new double[steps.size()];
        for (int i = 0; i < steps.size(); i++) {
            var s = steps.get(i);
            double measuredNanos = s.stepMs() * 1e6;
            a[i] = features(s);
            for (int j = 0; j < COEFFICIENTS; j++) a[i][j] /= measuredNanos; // relative-error weighting
            b[i] = 1;
        }
        double[] x = NonNegativeLeastSquares.solve(a, b);
        var exact = new TableFit(x[0], x[1], x[2], x[3], x[4], x[5], steps.size(), 0, 0, 0);
        return exact.withErrorsOver(steps);
    }

    /** Predicted step time in nanoseconds; arithmetic over the fields only, so it never allocates. */
    public double predictNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                               long decodeContextTokens) {
        return interceptNanos + nanosPerPrefillToken * prefillTokens + nanosPerDecodeToken * decodeTokens
                + nanosPerSeq * batchSeqs + nanosPerAttentionPair * prefillAttentionPairs
                + nanosPerDecodeContextToken * decodeContextTokens;
    }

    /** Relative error of the prediction for one measured row. */
    public double relativeError(MeasuredStep s) {
        double measured = s.stepMs() * 1e6;
        double predicted = predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(), s.prefillAttentionPairs(),
                s.decodeContextTokens());
        return Math.abs(predicted - measured) / measured;
    }

    /** "t = 1.20 ms + 0.010 ms/prefill tok + ... (12 rows, rms 3.1%, max 7.9%)". */
    public String summary() {
        return String.format("t = %.4g ms + %.4g us/prefill token + %.4g us/decode token + %.4g us/seq"
                        + " + %.4g ns/attention pair + %.4g ns/decode context token (%d rows, rms %.1f%%, max %.1f%%)",
                interceptNanos / 1e6, nanosPerPrefillToken / 1e3, nanosPerDecodeToken / 1e3, nanosPerSeq / 1e3,
                nanosPerAttentionPair, nanosPerDecodeContextToken, rows, 100 * rmsRelativeError, 100 * maxRelativeError);
    }

    private TableFit withErrorsOver(List<MeasuredStep> steps) {
        double sumSquares = 0;
        double max = -1;
        int worst = 0;
        for (int i = 0; i < steps.size(); i++) {
            double e = relativeError(steps.get(i));
            sumSquares += e * e;
            if (e > max) {
                max = e;
                worst = i;
            }
        }
        return new TableFit(interceptNanos, nanosPerPrefillToken, nanosPerDecodeToken, nanosPerSeq,
                nanosPerAttentionPair, nanosPerDecodeContextToken, steps.size(), Math.sqrt(sumSquares / steps.size()),
                max, worst);
    }

    private static double[] features(MeasuredStep s) {
        return new double[] {1, s.prefillTokens(), s.decodeTokens(), s.batchSeqs(), s.prefillAttentionPairs(),
                s.decodeContextTokens()};
    }
}

package servelab.runtime.exec.cost;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A model of step time fitted to measured steps: the larger of two planes over the step's arguments,
 * <pre>
 *   t [ns] = max(plane_1(x), plane_2(x)),
 *   plane(x) = a + b * prefill_tokens + c * decode_tokens + d * batch_seqs
 *                + e * prefill_attention_pairs + f * decode_context_tokens,
 * </pre>
 * with every coefficient &ge; 0, so the model is monotone (more work never takes less time), never negative, and
 * extrapolates linearly outside the measured range. One plane is the special case where both are equal; the fit
 * keeps it unless a second plane lowers the error clearly.
 *
 * <p>Why this shape: a forward pass is bound either by reading weights and KV (small steps: a large fixed cost, small
 * per-token cost) or by arithmetic (large steps: per-token cost dominates) - the roofline's max(memory, compute).
 * One plane must average the two regimes and misses roofline-shaped tables by 30-50% at the knee; the maximum of
 * two planes is the roofline's own form, with every coefficient read from measurements. Why not interpolation:
 * measured rows are scattered in a five-dimensional space, not a grid, so piecewise-linear interpolation has no
 * honest definition between rows and none outside them.
 *
 * <p>How it is fitted (max-affine regression as in Magnani and Boyd, "Convex piecewise-linear fitting", 2009):
 * rows are split by their token count at up to {@link #SPLITS} thresholds; from each split, each plane is fitted to
 * its rows by non-negative least squares, rows are reassigned to the plane that predicts more for them, and this
 * repeats until the assignment is stable. The best result over all splits, and the single plane, is kept. All
 * fits minimise squared <em>relative</em> error (rows weighted by 1 / measured time), because short decode steps and
 * long prefill steps matter equally to a latency simulation. Deterministic; about 2 &times; 63 small least-squares
 * solves per iteration.
 *
 * <p>What a table must contain to determine each term: prefill and decode rows (the profile reader insists on both),
 * chunks after a cached prefix as well as from scratch (else prefill tokens and attention pairs move together), and
 * several context lengths per decode batch size. A decoding sequence computes one token, so {@code c} and {@code d}
 * are only told apart by rows where tokens and sequences differ (multi-sequence prefill steps, verifications);
 * without them the fit still predicts well but splits {@code c + d} arbitrarily.
 *
 * @param memoryPlane       the plane with the larger intercept: usually the one that wins for small steps
 * @param computePlane      the other plane (equal to {@code memoryPlane} for a single-plane fit)
 * @param rows              rows fitted
 * @param rmsRelativeError  root mean square of |predicted - measured| / measured over the rows
 * @param maxRelativeError  the largest such error
 * @param worstRow          index (0-based, in table order) of the row with the largest error
 */
public record TableFit(Plane memoryPlane, Plane computePlane, int rows, double rmsRelativeError,
                       double maxRelativeError, int worstRow) {

    /** Coefficients of one plane, and so the fewest rows a table must have. */
    public static final int COEFFICIENTS = 6;
    /** Token-count thresholds tried as starting splits. */
    static final int SPLITS = 12;
    /** Reassignment rounds per split; the assignment is usually stable after a few. */
    private static final int MAX_ROUNDS = 20;
    /** A second plane must lower the squared relative error by this fraction to be kept... */
    private static final double SECOND_PLANE_GAIN = 0.01;
    /** ...and by this much per row, so that rounding noise on an exact one-plane table never picks two. */
    private static final double SECOND_PLANE_MIN_GAIN_PER_ROW = 1e-8;

    public TableFit {
        Objects.requireNonNull(memoryPlane, "TableFit.memoryPlane");
        Objects.requireNonNull(computePlane, "TableFit.computePlane");
    }

    /**
     * One linear plane, nanoseconds per unit of each argument; all coefficients &ge; 0.
     */
    public record Plane(double interceptNanos, double nanosPerPrefillToken, double nanosPerDecodeToken,
                        double nanosPerSeq, double nanosPerAttentionPair, double nanosPerDecodeContextToken) {
        public Plane {
            for (double c : new double[] {interceptNanos, nanosPerPrefillToken, nanosPerDecodeToken, nanosPerSeq,
                    nanosPerAttentionPair, nanosPerDecodeContextToken}) {
                if (!(c >= 0) || Double.isInfinite(c)) throw new IllegalArgumentException("Plane coefficients must be >= 0 and finite, was " + c);
            }
        }

        static Plane of(double[] x) {
            return new Plane(x[0], x[1], x[2], x[3], x[4], x[5]);
        }

        public double predictNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                                   long decodeContextTokens) {
            return interceptNanos + nanosPerPrefillToken * prefillTokens + nanosPerDecodeToken * decodeTokens
                    + nanosPerSeq * batchSeqs + nanosPerAttentionPair * prefillAttentionPairs
                    + nanosPerDecodeContextToken * decodeContextTokens;
        }

        private double predict(double[] features) {
            return interceptNanos * features[0] + nanosPerPrefillToken * features[1] + nanosPerDecodeToken * features[2]
                    + nanosPerSeq * features[3] + nanosPerAttentionPair * features[4]
                    + nanosPerDecodeContextToken * features[5];
        }

        private String summary() {
            return String.format("%.4g ms + %.4g us/prefill token + %.4g us/decode token + %.4g us/seq + %.4g ns/pair"
                            + " + %.4g ns/context token", interceptNanos / 1e6, nanosPerPrefillToken / 1e3,
                    nanosPerDecodeToken / 1e3, nanosPerSeq / 1e3, nanosPerAttentionPair, nanosPerDecodeContextToken);
        }
    }

    /** Fits the rows (at least {@link #COEFFICIENTS}). */
    public static TableFit fit(List<MeasuredStep> steps) {
        if (steps.size() < COEFFICIENTS) {
            throw new IllegalArgumentException("a fit needs at least " + COEFFICIENTS + " rows, was " + steps.size());
        }
        var rows = new Rows(steps);
        var single = rows.fitPlane(allRows(steps.size()));
        Plane bestA = single;
        Plane bestB = single;
        double singleError = rows.squaredError(single, single);
        double bestError = singleError;
        for (long threshold : rows.splitThresholds()) {
            var pair = rows.refine(threshold);
            double error = rows.squaredError(pair[0], pair[1]);
            if (error < bestError) {
                bestError = error;
                bestA = pair[0];
                bestB = pair[1];
            }
        }
        double gain = singleError - bestError;
        if (gain <= Math.max(SECOND_PLANE_GAIN * singleError, SECOND_PLANE_MIN_GAIN_PER_ROW * steps.size())) {
            bestA = single;
            bestB = single;
        }
        boolean aIsMemory = bestA.interceptNanos() >= bestB.interceptNanos();
        return withErrors(aIsMemory ? bestA : bestB, aIsMemory ? bestB : bestA, steps);
    }

    /** Predicted step time in nanoseconds; arithmetic over the fields only, so it never allocates. */
    public double predictNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                               long decodeContextTokens) {
        return Math.max(memoryPlane.predictNanos(prefillTokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens),
                computePlane.predictNanos(prefillTokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens));
    }

    /** Relative error of the prediction for one measured row. */
    public double relativeError(MeasuredStep s) {
        double measured = s.stepMs() * 1e6;
        double predicted = predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(), s.prefillAttentionPairs(),
                s.decodeContextTokens());
        return Math.abs(predicted - measured) / measured;
    }

    public boolean isSinglePlane() {
        return memoryPlane.equals(computePlane);
    }

    /** The fitted formula and its errors, for logs and error messages. */
    public String summary() {
        var formula = isSinglePlane() ? "t = " + memoryPlane.summary()
                : "t = max(" + memoryPlane.summary() + "; " + computePlane.summary() + ")";
        return String.format("%s (%d rows, rms %.1f%%, max %.1f%%)", formula, rows, 100 * rmsRelativeError,
                100 * maxRelativeError);
    }

    private static TableFit withErrors(Plane memory, Plane compute, List<MeasuredStep> steps) {
        var fit = new TableFit(memory, compute, steps.size(), 0, 0, 0);
        double sumSquares = 0;
        double max = -1;
        int worst = 0;
        for (int i = 0; i < steps.size(); i++) {
            double e = fit.relativeError(steps.get(i));
            sumSquares += e * e;
            if (e > max) {
                max = e;
                worst = i;
            }
        }
        return new TableFit(memory, compute, steps.size(), Math.sqrt(sumSquares / steps.size()), max, worst);
    }

    private static boolean[] allRows(int n) {
        var all = new boolean[n];
        Arrays.fill(all, true);
        return all;
    }

    /** The table as weighted features: row i is (1, prefill, decode, seqs, pairs, context) / measured nanos. */
    private static final class Rows {
        private final double[][] weighted;
        private final long[] tokens;

        Rows(List<MeasuredStep> steps) {
            weighted = new double[steps.size()][];
            tokens = new long[steps.size()];
            for (int i = 0; i < steps.size(); i++) {
                var s = steps.get(i);
                double measuredNanos = s.stepMs() * 1e6;
                weighted[i] = new double[] {1, s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                        s.prefillAttentionPairs(), s.decodeContextTokens()};
                for (int j = 0; j < COEFFICIENTS; j++) weighted[i][j] /= measuredNanos;
                tokens[i] = (long) s.prefillTokens() + s.decodeTokens();
            }
        }

        /** Up to SPLITS distinct token counts, evenly spread over the sorted rows, each leaving rows on both sides. */
        long[] splitThresholds() {
            long[] sorted = tokens.clone();
            Arrays.sort(sorted);
            return IntStream.rangeClosed(1, SPLITS)
                    .mapToLong(k -> sorted[(int) ((long) k * (sorted.length - 1) / (SPLITS + 1))])
                    .filter(t -> t < sorted[sorted.length - 1]).distinct().toArray();
        }

        /** Two planes from the split at {@code threshold}, refined by reassigning rows to the larger plane. */
        Plane[] refine(long threshold) {
            var inA = new boolean[tokens.length];
            for (int i = 0; i < tokens.length; i++) inA[i] = tokens[i] <= threshold;
            Plane a = null;
            Plane b = null;
            for (int round = 0; round < MAX_ROUNDS; round++) {
                a = fitPlaneOr(inA, true, b);
                b = fitPlaneOr(inA, false, a);
                boolean changed = false;
                for (int i = 0; i < tokens.length; i++) {
                    boolean toA = a.predict(weighted[i]) >= b.predict(weighted[i]);
                    changed |= toA != inA[i];
                    inA[i] = toA;
                }
                if (!changed) break;
            }
            return new Plane[] {a, b};
        }

        /** The plane fitted to rows where {@code member[i] == side}, or {@code fallback} when there are none. */
        private Plane fitPlaneOr(boolean[] member, boolean side, Plane fallback) {
            var chosen = new boolean[member.length];
            boolean any = false;
            for (int i = 0; i < member.length; i++) {
                chosen[i] = member[i] == side;
                any |= chosen[i];
            }
            if (!any) return fallback != null ? fallback : fitPlane(allRows(member.length));
            return fitPlane(chosen);
        }

        Plane fitPlane(boolean[] chosen) {
            int m = 0;
            for (boolean c : chosen) if (c) m++;
            var a = new double[m][];
            var b = new double[m];
            for (int i = 0, r = 0; i < chosen.length; i++) {
                if (!chosen[i]) continue;
                a[r] = weighted[i];
                b[r++] = 1; // a perfect prediction divided by the measured time
            }
            return Plane.of(NonNegativeLeastSquares.solve(a, b));
        }

        /** Sum over rows of (max(a, b) / measured - 1)^2. */
        double squaredError(Plane a, Plane b) {
            double sum = 0;
            for (double[] row : weighted) {
                double r = Math.max(a.predict(row), b.predict(row)) - 1;
                sum += r * r;
            }
            return sum;
        }
    }
}

package servelab.runtime.exec.cost;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * A model of step time fitted to measured steps: the larger of two planes over the step's arguments, times the
 * planes' measured residual at the step's token count,
 * <pre>
 *   t [ns] = factor(prefill_tokens + decode_tokens) * max(plane_1(x), plane_2(x)),
 *   plane(x) = a + b * prefill_tokens + c * decode_tokens + d * batch_seqs
 *                + e * prefill_attention_pairs + f * decode_context_tokens,
 * </pre>
 * with every coefficient &ge; 0, so the planes are monotone (more work never takes less time), never negative, and
 * extrapolate linearly outside the measured range; then multiplied by a measured factor per token count (below). One
 * plane is the special case where both are equal; the fit keeps it unless a second plane lowers the error clearly.
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
 * <p><b>Token-count factors.</b> An executor does not cost the same per token at every step size: the CPU kernels
 * take inputs four at a time, so 2 tokens cost as much as 4 and 5 cost about 1.5x 4 (a staircase), and GPU kernels
 * quantize work into tiles and waves the same way. No plane can follow that, and fitted across it the planes
 * overprice some sizes and underprice others by 10-25%. So after the planes, the fit measures its own residual at each
 * total token count (prefill + decode) that at least {@link TokenFactors#MIN_ROWS} rows share: the median of
 * measured / planes there. A prediction is the planes times that factor, interpolated linearly between measured
 * token counts and held at the end values outside them; a table whose planes fit every size has factors of 1. The
 * factors follow the measurements, so unlike the planes they need not grow with the work (4 tokens may be measured
 * faster than 3). {@link #fit(List, boolean)} leaves them out (all 1), for comparison.
 *
 * <p>What a table must contain to determine each term: prefill and decode rows (the profile reader insists on both),
 * chunks after a cached prefix as well as from scratch (else prefill tokens and attention pairs move together), and
 * several context lengths per decode batch size. A decoding sequence computes one token, so {@code c} and {@code d}
 * are only told apart by rows where tokens and sequences differ (multi-sequence prefill steps, verifications);
 * without them the fit still predicts well but splits {@code c + d} arbitrarily.
 *
 * @param memoryPlane       the plane with the larger intercept: usually the one that wins for small steps
 * @param computePlane      the other plane (equal to {@code memoryPlane} for a single-plane fit)
 * @param factors           measured / planes by the step's token count ({@link TokenFactors#NONE} for the planes alone)
 * @param rows              rows fitted
 * @param rmsRelativeError  root mean square of |predicted - measured| / measured over the rows
 * @param maxRelativeError  the largest such error
 * @param worstRow          index (0-based, in table order) of the row with the largest error
 */
public record TableFit(Plane memoryPlane, Plane computePlane, TokenFactors factors, int rows,
                       double rmsRelativeError, double maxRelativeError, int worstRow) {

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
        Objects.requireNonNull(factors, "TableFit.factors");
    }

    /**
     * The fit's residual by a step's total token count: {@code factor(t)} multiplies the planes' prediction.
     *
     * @param tokens   token counts with a factor, ascending (empty: every factor is 1)
     * @param factors  median measured / predicted of the rows with that token count, each &gt; 0
     */
    public record TokenFactors(long[] tokens, double[] factors) {
        /** The fewest rows at one token count that give it a factor (one row would be reproduced with its noise). */
        public static final int MIN_ROWS = 2;
        /** No factors: the planes alone. */
        public static final TokenFactors NONE = new TokenFactors(new long[0], new double[0]);

        public TokenFactors {
            tokens = tokens.clone();
            factors = factors.clone();
            if (tokens.length != factors.length) throw new IllegalArgumentException("one factor per token count");
            for (int i = 0; i < tokens.length; i++) {
                if (i > 0 && tokens[i] <= tokens[i - 1]) throw new IllegalArgumentException("token counts must ascend");
                if (!(factors[i] > 0) || Double.isInfinite(factors[i])) {
                    throw new IllegalArgumentException("factors must be > 0 and finite, was " + factors[i]);
                }
            }
        }

        /** The factor for a step of {@code t} tokens: interpolated, held at the ends; arithmetic only, no allocation. */
        public double at(long t) {
            int n = tokens.length;
            if (n == 0) return 1;
            if (t <= tokens[0]) return factors[0];
            if (t >= tokens[n - 1]) return factors[n - 1];
            int i = Arrays.binarySearch(tokens, t);
            if (i >= 0) return factors[i];
            int hi = -i - 1;
            int lo = hi - 1;
            double w = (double) (t - tokens[lo]) / (tokens[hi] - tokens[lo]);
            return factors[lo] + w * (factors[hi] - factors[lo]);
        }

        public boolean isNone() {
            return tokens.length == 0;
        }

        /** Token counts and factors side by side, for logs: {@code 1:0.91 2:1.18 ...}. */
        public String summary() {
            var b = new StringBuilder();
            for (int i = 0; i < tokens.length; i++) b.append(i > 0 ? " " : "").append(tokens[i]).append(':').append(String.format("%.2f", factors[i]));
            return b.toString();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenFactors f && Arrays.equals(tokens, f.tokens) && Arrays.equals(factors, f.factors);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(factors);
        }

        @Override
        public String toString() {
            return "TokenFactors[" + summary() + "]";
        }

        /** Median measured / planes at each token count shared by at least {@link #MIN_ROWS} rows. */
        static TokenFactors measure(List<MeasuredStep> steps, Plane memory, Plane compute) {
            var ratios = new java.util.TreeMap<Long, List<Double>>();
            for (var s : steps) {
                double planes = Math.max(memory.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                                s.prefillAttentionPairs(), s.decodeContextTokens()),
                        compute.predictNanos(s.prefillTokens(), s.decodeTokens(), s.batchSeqs(),
                                s.prefillAttentionPairs(), s.decodeContextTokens()));
                if (!(planes > 0)) continue; // a zero prediction has no ratio; the planes stay as they are there
                ratios.computeIfAbsent((long) s.prefillTokens() + s.decodeTokens(), t -> new java.util.ArrayList<>())
                        .add(s.stepMs() * 1e6 / planes);
            }
            ratios.values().removeIf(r -> r.size() < MIN_ROWS);
            var tokens = new long[ratios.size()];
            var factors = new double[ratios.size()];
            int i = 0;
            for (var e : ratios.entrySet()) {
                tokens[i] = e.getKey();
                factors[i++] = median(e.getValue());
            }
            return new TokenFactors(tokens, factors);
        }

        private static double median(List<Double> values) {
            double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = v.length;
            return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        }
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

    /** Fits the rows (at least {@link #COEFFICIENTS}): the planes, then the token-count factors. */
    public static TableFit fit(List<MeasuredStep> steps) {
        return fit(steps, true);
    }

    /**
     * Fits the rows (at least {@link #COEFFICIENTS}).
     *
     * @param tokenFactors whether to measure the planes' residual by token count ({@code false}: the planes alone)
     */
    public static TableFit fit(List<MeasuredStep> steps, boolean tokenFactors) {
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
        var memory = aIsMemory ? bestA : bestB;
        var compute = aIsMemory ? bestB : bestA;
        var factors = tokenFactors ? TokenFactors.measure(steps, memory, compute) : TokenFactors.NONE;
        return withErrors(memory, compute, factors, steps);
    }

    /** Predicted step time in nanoseconds; arithmetic over the fields only, so it never allocates. */
    public double predictNanos(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                               long decodeContextTokens) {
        return factors.at((long) prefillTokens + decodeTokens) * Math.max(memoryPlane.predictNanos(prefillTokens, decodeTokens, batchSeqs, prefillAttentionPairs, decodeContextTokens),
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
        if (!factors.isNone()) formula += " x factor by tokens (" + factors.summary() + ")";
        return String.format("%s (%d rows, rms %.1f%%, max %.1f%%)", formula, rows, 100 * rmsRelativeError,
                100 * maxRelativeError);
    }

    private static TableFit withErrors(Plane memory, Plane compute, TokenFactors factors, List<MeasuredStep> steps) {
        var fit = new TableFit(memory, compute, factors, steps.size(), 0, 0, 0);
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
        return new TableFit(memory, compute, factors, steps.size(), Math.sqrt(sumSquares / steps.size()), max, worst);
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

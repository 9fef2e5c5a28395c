package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.F;
import static servelab.kernels.matmul.Lanes.FLOAT_LE;
import static servelab.kernels.matmul.Lanes.L;
import static servelab.kernels.matmul.Lanes.LE;

import java.lang.foreign.MemorySegment;

import servelab.kernels.Vectors;

import jdk.incubator.vector.FloatVector;

/** F32 weight rows: a dot product (reference and vector), and conversion to and from floats. */
public final class F32 {
    private F32() {}

    /** Reference: {@code sum_j w[j] * x[xOff + j]} for the {@code n} weights at byte {@code off}, summed in order. */
    public static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int j = 0; j < n; j++) {
            sum += w.get(FLOAT_LE, off + 4L * j) * x[xOff + j];
        }
        return sum;
    }

    /** Vector API version of {@link #dot}: four independent accumulators, then a scalar tail. */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n) {
        return dotVector(w, off, x, xOff, n, new float[L]);
    }

    /**
     * {@link #dotVector(MemorySegment, long, float[], int, int)}, summing the lanes through {@code lanes} (at least
     * {@code L} floats, overwritten) so that nothing is boxed (see {@link Vectors#sum(float[], int)}).
     */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n, float[] lanes) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int j = 0;
        for (int end = n - 4 * L; j <= end; j += 4 * L) {
            acc0 = FloatVector.fromMemorySegment(F, w, off + 4L * j, LE).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, off + 4L * (j + L), LE).fma(FloatVector.fromArray(F, x, xOff + j + L), acc1);
            acc2 = FloatVector.fromMemorySegment(F, w, off + 4L * (j + 2 * L), LE).fma(FloatVector.fromArray(F, x, xOff + j + 2 * L), acc2);
            acc3 = FloatVector.fromMemorySegment(F, w, off + 4L * (j + 3 * L), LE).fma(FloatVector.fromArray(F, x, xOff + j + 3 * L), acc3);
        }
        for (int end = n - L; j <= end; j += L) {
            acc0 = FloatVector.fromMemorySegment(F, w, off + 4L * j, LE).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
        }
        acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
        float sum = Vectors.sum(lanes, 0);
        for (; j < n; j++) {
            sum += w.get(FLOAT_LE, off + 4L * j) * x[xOff + j];
        }
        return sum;
    }

    /**
     * {@link #dotVector} over weights already in a float array (a row that {@link F16#widenRow} or
     * {@link BF16#widenRow} widened), with the same accumulators and order.
     */
    public static float dotVector(float[] w, float[] x, int xOff, int n) {
        return dotVector(w, 0, x, xOff, n);
    }

    /** {@link #dotVector(float[], float[], int, int)} over the weights at {@code w[wOff..wOff+n)}. */
    public static float dotVector(float[] w, int wOff, float[] x, int xOff, int n) {
        return dotVector(w, wOff, x, xOff, n, new float[L]);
    }

    /**
     * {@link #dotVector(float[], int, float[], int, int)}, summing the lanes through {@code lanes} (at least
     * {@code L} floats, overwritten): after a long row C2 may not inline the sum, and a vector argument would be boxed
     * (see {@link Vectors#sum(float[], int)}). The kernels pass a buffer of their thread's.
     */
    public static float dotVector(float[] w, int wOff, float[] x, int xOff, int n, float[] lanes) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int j = 0;
        for (int end = n - 4 * L; j <= end; j += 4 * L) {
            acc0 = FloatVector.fromArray(F, w, wOff + j).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
            acc1 = FloatVector.fromArray(F, w, wOff + j + L).fma(FloatVector.fromArray(F, x, xOff + j + L), acc1);
            acc2 = FloatVector.fromArray(F, w, wOff + j + 2 * L).fma(FloatVector.fromArray(F, x, xOff + j + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, w, wOff + j + 3 * L).fma(FloatVector.fromArray(F, x, xOff + j + 3 * L), acc3);
        }
        for (int end = n - L; j <= end; j += L) {
            acc0 = FloatVector.fromArray(F, w, wOff + j).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
        }
        acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
        float sum = Vectors.sum(lanes, 0);
        for (; j < n; j++) {
            sum += w[wOff + j] * x[xOff + j];
        }
        return sum;
    }

    /** Float slots {@link #dots4x2} and the panel kernels need in {@code partial} per pair of inputs. */
    public static final int PARTIAL_4X2 = 4 * 8 * L;

    /**
     * A register tile of four weight rows by two inputs over weights already in floats:
     * {@code out[outOff + i * outStride + k] = w_k . x_i} for rows {@code k = 0..3} (at {@code w[k * n ..]}) and
     * inputs {@code i = 0, 1} (at {@code x[xOff + i * xStride ..]}), bit-identical to eight
     * {@link #dotVector(float[], int, float[], int, int)} calls. That dot keeps four accumulators, the k-th taking
     * vectors {@code k, k + 4, k + 8, ...} in order (then the vectors after the last whole group of four go to the
     * first); eight outputs times four would not fit in AVX2's sixteen registers, so the kernel makes four passes,
     * pass k building the k-th accumulator of all eight outputs (8 fma against 6 loads per step, where the single dot
     * does 4 against 8), parks it in {@code partial} (at least {@link #PARTIAL_4X2} floats; stores are exact), and
     * finally adds the four exactly as the single dot does. The matmul runs the same two steps over column panels
     * ({@link #panel4x2}, then {@link #finish4x2}), so that the panel's weights and inputs stay in L1.
     */
    public static void dots4x2(float[] w, int n, float[] x, int xOff, int xStride, float[] out, int outOff,
                               int outStride, float[] partial) {
        int grouped = n / (4 * L) * (4 * L);
        panel4x2(w, 0, n, grouped, x, xOff, xStride, partial, 0, true);
        finish4x2(w, grouped, n, n - grouped, x, xOff + grouped, xStride, partial, 0, out, outOff, outStride);
    }

    /**
     * The four passes of {@link #dots4x2} over {@code width} columns (a multiple of {@code 4L}) that start at a multiple
     * of {@code 4L} of the rows: weights at {@code w[wOff + k * wStride ..]}, inputs at {@code x[xOff + i * xStride ..]};
     * the accumulators start from zero ({@code fresh}, the first panel) or from {@code partial[pOff..]}, and go back there.
     */
    public static void panel4x2(float[] w, int wOff, int wStride, int width, float[] x, int xOff, int xStride,
                                float[] partial, int pOff, boolean fresh) {
        for (int k = 0; k < 4; k++) {
            pass4x2(w, wOff, wStride, x, xOff, xStride, k * L, width, partial, pOff + k * 8 * L, fresh);
        }
    }

    /**
     * The end of {@link #dots4x2}: the {@code tail} columns after the last whole group of {@code 4L} (vectors into the
     * first accumulators, one at a time, then the scalar rest), added to the accumulators in {@code partial[pOff..]}
     * as the single dot adds them, into {@code out}.
     */
    public static void finish4x2(float[] w, int wOff, int wStride, int tail, float[] x, int xOff, int xStride,
                                 float[] partial, int pOff, float[] out, int outOff, int outStride) {
        int vectors = tail / L * L;
        for (int j = 0; j < vectors; j += L) {
            pass4x2(w, wOff, wStride, x, xOff, xStride, j, j + L, partial, pOff, false);
        }
        for (int i = 0; i < 2; i++) {
            for (int k = 0; k < 4; k++) {
                int slot = pOff + (i * 4 + k) * L;
                var acc0 = FloatVector.fromArray(F, partial, slot);
                var acc1 = FloatVector.fromArray(F, partial, 8 * L + slot);
                var acc2 = FloatVector.fromArray(F, partial, 2 * 8 * L + slot);
                var acc3 = FloatVector.fromArray(F, partial, 3 * 8 * L + slot);
                float sum = Vectors.sum(acc0.add(acc1).add(acc2.add(acc3)));
                for (int j = vectors; j < tail; j++) {
                    sum += w[wOff + k * wStride + j] * x[xOff + i * xStride + j];
                }
                out[outOff + i * outStride + k] = sum;
            }
        }
    }

    /**
     * One accumulator of each of the eight outputs of {@link #dots4x2} over the vectors at columns
     * {@code from, from + 4L, ...} below {@code to}; starts from zero ({@code fresh}) or from {@code partial[slot..]},
     * and stores back. The stride is a constant so that C2 treats the loop as counted and drops the bounds checks.
     */
    private static void pass4x2(float[] w, int wOff, int wStride, float[] x, int xOff, int xStride, int from, int to,
                                float[] partial, int slot, boolean fresh) {
        var zero = FloatVector.zero(F);
        var a0 = fresh ? zero : FloatVector.fromArray(F, partial, slot);
        var a1 = fresh ? zero : FloatVector.fromArray(F, partial, slot + L);
        var a2 = fresh ? zero : FloatVector.fromArray(F, partial, slot + 2 * L);
        var a3 = fresh ? zero : FloatVector.fromArray(F, partial, slot + 3 * L);
        var b0 = fresh ? zero : FloatVector.fromArray(F, partial, slot + 4 * L);
        var b1 = fresh ? zero : FloatVector.fromArray(F, partial, slot + 5 * L);
        var b2 = fresh ? zero : FloatVector.fromArray(F, partial, slot + 6 * L);
        var b3 = fresh ? zero : FloatVector.fromArray(F, partial, slot + 7 * L);
        for (int j = from; j < to; j += 4 * L) {
            // a, b: inputs 0, 1; 0..3: weight rows
            var w0 = FloatVector.fromArray(F, w, wOff + j);
            var w1 = FloatVector.fromArray(F, w, wOff + wStride + j);
            var w2 = FloatVector.fromArray(F, w, wOff + 2 * wStride + j);
            var w3 = FloatVector.fromArray(F, w, wOff + 3 * wStride + j);
            var xv = FloatVector.fromArray(F, x, xOff + j);
            a0 = w0.fma(xv, a0);
            a1 = w1.fma(xv, a1);
            a2 = w2.fma(xv, a2);
            a3 = w3.fma(xv, a3);
            xv = FloatVector.fromArray(F, x, xOff + xStride + j);
            b0 = w0.fma(xv, b0);
            b1 = w1.fma(xv, b1);
            b2 = w2.fma(xv, b2);
            b3 = w3.fma(xv, b3);
        }
        a0.intoArray(partial, slot);
        a1.intoArray(partial, slot + L);
        a2.intoArray(partial, slot + 2 * L);
        a3.intoArray(partial, slot + 3 * L);
        b0.intoArray(partial, slot + 4 * L);
        b1.intoArray(partial, slot + 5 * L);
        b2.intoArray(partial, slot + 6 * L);
        b3.intoArray(partial, slot + 7 * L);
    }

    /** Copies {@code n} weights at byte {@code off} into {@code dst[dstOff..]}. */
    public static void dequantize(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        for (int j = 0; j < n; j++) {
            dst[dstOff + j] = w.get(FLOAT_LE, off + 4L * j);
        }
    }

    /** Writes {@code src[srcOff..srcOff+n)} at byte {@code off} of {@code dst}. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long off) {
        for (int j = 0; j < n; j++) {
            dst.set(FLOAT_LE, off + 4L * j, src[srcOff + j]);
        }
    }
}

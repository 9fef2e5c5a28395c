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
        float sum = Vectors.sum(acc0.add(acc1).add(acc2.add(acc3)));
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
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int j = 0;
        for (int end = n - 4 * L; j <= end; j += 4 * L) {
            acc0 = FloatVector.fromArray(F, w, j).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
            acc1 = FloatVector.fromArray(F, w, j + L).fma(FloatVector.fromArray(F, x, xOff + j + L), acc1);
            acc2 = FloatVector.fromArray(F, w, j + 2 * L).fma(FloatVector.fromArray(F, x, xOff + j + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, w, j + 3 * L).fma(FloatVector.fromArray(F, x, xOff + j + 3 * L), acc3);
        }
        for (int end = n - L; j <= end; j += L) {
            acc0 = FloatVector.fromArray(F, w, j).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
        }
        float sum = Vectors.sum(acc0.add(acc1).add(acc2.add(acc3)));
        for (; j < n; j++) {
            sum += w[j] * x[xOff + j];
        }
        return sum;
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

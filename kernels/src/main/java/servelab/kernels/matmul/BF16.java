package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.F;
import static servelab.kernels.matmul.Lanes.I;
import static servelab.kernels.matmul.Lanes.L;
import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.S;
import static servelab.kernels.matmul.Lanes.SHORT_LE;

import java.lang.foreign.MemorySegment;

import servelab.kernels.Vectors;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/** BF16 weight rows: each weight is the upper half of a binary32. */
public final class BF16 {
    private BF16() {}

    /** Widens one bfloat16 (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** Rounds a float to bfloat16, nearest with ties to even; NaN stays a (quiet) NaN. */
    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** Reference: each weight widened with {@link #toFloat}, products summed in order. */
    public static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int j = 0; j < n; j++) {
            sum += toFloat(w.get(SHORT_LE, off + 2L * j)) * x[xOff + j];
        }
        return sum;
    }

    /** Vector API version of {@link #dot}: widening is a sign-extend then a 16-bit shift, so it is exact. */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        int j = 0;
        for (int end = n - 2 * L; j <= end; j += 2 * L) {
            acc0 = widen(ShortVector.fromMemorySegment(S, w, off + 2L * j, LE)).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
            acc1 = widen(ShortVector.fromMemorySegment(S, w, off + 2L * (j + L), LE)).fma(FloatVector.fromArray(F, x, xOff + j + L), acc1);
        }
        for (int end = n - L; j <= end; j += L) {
            acc0 = widen(ShortVector.fromMemorySegment(S, w, off + 2L * j, LE)).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
        }
        float sum = Vectors.sum(acc0.add(acc1));
        for (; j < n; j++) {
            sum += toFloat(w.get(SHORT_LE, off + 2L * j)) * x[xOff + j];
        }
        return sum;
    }

    /**
     * {@link F32#dotVector(float[], int, float[], int, int, float[])} over this row's weights widened in registers
     * instead of into a buffer first, as {@link F16#dotWidened} does for F16: the same operations on the same floats,
     * so the same bits as the widened row's dot (and as the batched tile). The widening is written out in the main
     * loop, for the reason {@link F16#dotWidened} gives.
     */
    static float dotWidened(MemorySegment w, long off, float[] x, int xOff, int n, float[] lanes) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int j = 0;
        for (int end = n - 4 * L; j <= end; j += 4 * L) {
            long at = off + 2L * j;
            var w0 = ((IntVector) ShortVector.fromMemorySegment(S, w, at, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            var w1 = ((IntVector) ShortVector.fromMemorySegment(S, w, at + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            var w2 = ((IntVector) ShortVector.fromMemorySegment(S, w, at + 4L * L, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            var w3 = ((IntVector) ShortVector.fromMemorySegment(S, w, at + 6L * L, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            acc0 = w0.fma(FloatVector.fromArray(F, x, xOff + j), acc0);
            acc1 = w1.fma(FloatVector.fromArray(F, x, xOff + j + L), acc1);
            acc2 = w2.fma(FloatVector.fromArray(F, x, xOff + j + 2 * L), acc2);
            acc3 = w3.fma(FloatVector.fromArray(F, x, xOff + j + 3 * L), acc3);
        }
        for (int end = n - L; j <= end; j += L) {
            acc0 = widen(ShortVector.fromMemorySegment(S, w, off + 2L * j, LE)).fma(FloatVector.fromArray(F, x, xOff + j), acc0);
        }
        acc0.add(acc1).add(acc2.add(acc3)).intoArray(lanes, 0);
        float sum = Vectors.sum(lanes, 0);
        for (; j < n; j++) {
            sum += toFloat(w.get(SHORT_LE, off + 2L * j)) * x[xOff + j];
        }
        return sum;
    }

    private static FloatVector widen(ShortVector halves) {
        return ((IntVector) halves.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** Widens a row of {@code n} weights into {@code dst[0..n)}, as {@link F16#widenRow}. */
    public static void widenRow(MemorySegment w, long off, float[] dst, int n) {
        widenRow(w, off, dst, 0, n);
    }

    /**
     * {@link #widenRow(MemorySegment, long, float[], int)} into {@code dst[dstOff..dstOff+n)}, a vector at a time (C2
     * did not vectorize the plain loop: the batched BF16 tiles ran at two thirds of F16's, whose loop it compiles to
     * {@code vcvtph2ps}).
     */
    public static void widenRow(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        int j = 0;
        for (int end = n - L; j <= end; j += L) {
            ((IntVector) ShortVector.fromMemorySegment(S, w, off + 2L * j, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + j);
        }
        for (; j < n; j++) {
            dst[dstOff + j] = Float.intBitsToFloat(w.get(SHORT_LE, off + 2L * j) << 16);
        }
    }

    /** Widens {@code n} weights at byte {@code off} into {@code dst[dstOff..]}. */
    public static void dequantize(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        for (int j = 0; j < n; j++) {
            dst[dstOff + j] = toFloat(w.get(SHORT_LE, off + 2L * j));
        }
    }

    /** Rounds {@code src[srcOff..srcOff+n)} with {@link #fromFloat} at byte {@code off} of {@code dst}. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long off) {
        for (int j = 0; j < n; j++) {
            dst.set(SHORT_LE, off + 2L * j, fromFloat(src[srcOff + j]));
        }
    }
}

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

    private static FloatVector widen(ShortVector halves) {
        return ((IntVector) halves.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** Widens a row of {@code n} weights into {@code dst[0..n)}, as {@link F16#widenRow}. */
    public static void widenRow(MemorySegment w, long off, float[] dst, int n) {
        widenRow(w, off, dst, 0, n);
    }

    /** {@link #widenRow(MemorySegment, long, float[], int)} into {@code dst[dstOff..dstOff+n)}. */
    public static void widenRow(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        for (int j = 0; j < n; j++) {
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

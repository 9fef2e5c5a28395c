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

/** F16 (IEEE binary16) weight rows. */
public final class F16 {
    private F16() {}

    /** Reference: each weight widened with {@link Float#float16ToFloat}, products summed in order. */
    public static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        float sum = 0f;
        for (int j = 0; j < n; j++) {
            sum += Float.float16ToFloat(w.get(SHORT_LE, off + 2L * j)) * x[xOff + j];
        }
        return sum;
    }

    /** Vector API version of {@link #dot}; widening is exact (see {@link #widen}), so only summation order differs. */
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
            sum += Float.float16ToFloat(w.get(SHORT_LE, off + 2L * j)) * x[xOff + j];
        }
        return sum;
    }

    /**
     * {@link F32#dotVector(float[], int, float[], int, int, float[])} over this row's weights widened in registers
     * ({@link #widen}) instead of into a buffer first: the same operations on the same floats, so the same bits as
     * the widened row's dot (and as the batched tile), with the weights read once and nothing stored. The batch-1 dot
     * of the vector matmul ({@code -Dservelab.f16.buffered=true} keeps the buffered row, to compare). {@link #widen} is
     * written out in the main loop: called there, C2 did not inline it and every vector became a heap object (84 MB
     * allocated per call of a 16384 x 2048 matmul, a third to two thirds of the buffered speed).
     */
    static float dotWidened(MemorySegment w, long off, float[] x, int xOff, int n, float[] lanes) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int j = 0;
        for (int end = n - 4 * L; j <= end; j += 4 * L) {
            long at = off + 2L * j;
            var hw0 = (IntVector) ShortVector.fromMemorySegment(S, w, at, LE).convertShape(VectorOperators.S2I, I, 0);
            var mw0 = hw0.and(0x7fff);
            var sw0 = mw0.lanewise(VectorOperators.LSHL, 13);
            var w0 = sw0.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sw0.or(0x7f800000), mw0.compare(VectorOperators.GE, 0x7c00))
                    .or(hw0.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            var hw1 = (IntVector) ShortVector.fromMemorySegment(S, w, at + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
            var mw1 = hw1.and(0x7fff);
            var sw1 = mw1.lanewise(VectorOperators.LSHL, 13);
            var w1 = sw1.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sw1.or(0x7f800000), mw1.compare(VectorOperators.GE, 0x7c00))
                    .or(hw1.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            var hw2 = (IntVector) ShortVector.fromMemorySegment(S, w, at + 4L * L, LE).convertShape(VectorOperators.S2I, I, 0);
            var mw2 = hw2.and(0x7fff);
            var sw2 = mw2.lanewise(VectorOperators.LSHL, 13);
            var w2 = sw2.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sw2.or(0x7f800000), mw2.compare(VectorOperators.GE, 0x7c00))
                    .or(hw2.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
            var hw3 = (IntVector) ShortVector.fromMemorySegment(S, w, at + 6L * L, LE).convertShape(VectorOperators.S2I, I, 0);
            var mw3 = hw3.and(0x7fff);
            var sw3 = mw3.lanewise(VectorOperators.LSHL, 13);
            var w3 = sw3.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts()
                    .blend(sw3.or(0x7f800000), mw3.compare(VectorOperators.GE, 0x7c00))
                    .or(hw3.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
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
            sum += Float.float16ToFloat(w.get(SHORT_LE, off + 2L * j)) * x[xOff + j];
        }
        return sum;
    }

    /**
     * Widens binary16 lanes to binary32 exactly. Shifting the 15 magnitude bits left by 13 lines the half's exponent
     * and mantissa up with a float's; the float then reads 2^112 times too small (bias 127 against 15), so one exact
     * multiply by 2^112 fixes normals and subnormals alike. Infinity and NaN (exponent all ones) get the float's
     * all-ones exponent instead.
     */
    static FloatVector widen(ShortVector halves) {
        var h = (IntVector) halves.convertShape(VectorOperators.S2I, I, 0);
        var magnitude = h.and(0x7fff);
        var shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        var scaled = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        var special = magnitude.compare(VectorOperators.GE, 0x7c00);
        var bits = scaled.blend(shifted.or(0x7f800000), special);
        var sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return bits.or(sign).reinterpretAsFloats();
    }

    /**
     * Widens a row of {@code n} weights at byte {@code off} into {@code dst[0..n)}: a plain loop over the mapped
     * halves that C2 compiles to vector loads and the CPU's half-to-float instruction ({@code vcvtph2ps}), which the
     * Vector API does not offer. The vector matmul widens each row once this way and dots it with every input row of
     * its tile ({@link F32#dotVector(float[], float[], int, int)}). It used to copy the row into a {@code short[]}
     * first: reading the mapped halves directly is 1.15-1.2x faster at batch 1 (kernels/README.md).
     */
    public static void widenRow(MemorySegment w, long off, float[] dst, int n) {
        widenRow(w, off, dst, 0, n);
    }

    /** {@link #widenRow(MemorySegment, long, float[], int)} into {@code dst[dstOff..dstOff+n)}. */
    public static void widenRow(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        for (int j = 0; j < n; j++) {
            dst[dstOff + j] = Float.float16ToFloat(w.get(SHORT_LE, off + 2L * j));
        }
    }

    /** Widens {@code n} weights at byte {@code off} into {@code dst[dstOff..]}. */
    public static void dequantize(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        for (int j = 0; j < n; j++) {
            dst[dstOff + j] = Float.float16ToFloat(w.get(SHORT_LE, off + 2L * j));
        }
    }

    /** Rounds {@code src[srcOff..srcOff+n)} to binary16 (nearest, ties to even) at byte {@code off} of {@code dst}. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long off) {
        for (int j = 0; j < n; j++) {
            dst.set(SHORT_LE, off + 2L * j, Float.floatToFloat16(src[srcOff + j]));
        }
    }
}

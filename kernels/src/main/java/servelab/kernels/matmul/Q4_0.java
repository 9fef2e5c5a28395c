package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.BL;
import static servelab.kernels.matmul.Lanes.F;
import static servelab.kernels.matmul.Lanes.FIRST_L;
import static servelab.kernels.matmul.Lanes.I;
import static servelab.kernels.matmul.Lanes.L;
import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.PARTS_PER_16;
import static servelab.kernels.matmul.Lanes.SHORT_LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import servelab.kernels.Vectors;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 weight rows (GGUF/ggml {@code block_q4_0}):
 * <pre>
 *   struct block_q4_0 { ggml_half d; uint8_t qs[16]; };   // 18 bytes
 *   weight j      = d * ((qs[j] &amp; 0x0F) - 8)     for j in 0..15
 *   weight j + 16 = d * ((qs[j] &gt;&gt; 4)   - 8)
 * </pre>
 */
public final class Q4_0 {
    static final int BLOCK = 32;
    static final int BYTES = 18;

    private Q4_0() {}

    /** Reference: per block, {@code d * sum_j q[j] * x[j]} with the inner sum in weight order. */
    public static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        checkLength(n);
        float sum = 0f;
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            float d = Float.float16ToFloat(w.get(SHORT_LE, block));
            int xb = xOff + b * BLOCK;
            float blockSum = 0f;
            for (int j = 0; j < 16; j++) {
                blockSum += low(w, block, j) * x[xb + j];
            }
            for (int j = 0; j < 16; j++) {
                blockSum += high(w, block, j) * x[xb + 16 + j];
            }
            sum += d * blockSum;
        }
        return sum;
    }

    /**
     * Vector API version of {@link #dot}: the 16 packed bytes are widened to ints, split into low and high nibbles,
     * less 8, converted to floats and scaled by {@code d}, then multiplied into one accumulator per half block. {@link #dotsPacked} does the same
     * operations per input row.
     */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n) {
        return dotVector(w, off, x, xOff, n, new float[L]);
    }

    /**
     * {@link #dotVector(MemorySegment, long, float[], int, int)}, summing the lanes through {@code lanes} (at least
     * {@code L} floats, overwritten) so that nothing is boxed (see {@link Vectors#sum(float[], int)}).
     */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n, float[] lanes) {
        checkLength(n);
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            int xb = xOff + b * BLOCK;
            var d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, block)));
            for (int part = 0; part < PARTS_PER_16; part++) {
                var q = ints(bytes(w, block + 2 + part * L));
                acc0 = lowFloats(q).mul(d).fma(FloatVector.fromArray(F, x, xb + part * L), acc0);
                acc1 = highFloats(q).mul(d).fma(FloatVector.fromArray(F, x, xb + 16 + part * L), acc1);
            }
        }
        acc0.add(acc1).intoArray(lanes, 0);
        return Vectors.sum(lanes, 0);
    }

    /** Four dots of one weight row with four packed inputs, bit-identical to four {@link #dotVector} calls (see {@link Q8_0#dotsPacked}). */
    public static void dotsPacked(MemorySegment w, long off, float[] x4, int x4Off, int n,
                                  float[] out, int outOff, int outStride) {
        checkLength(n);
        var a0 = FloatVector.zero(F);
        var a1 = a0;
        var b0 = a0;
        var b1 = a0;
        var c0 = a0;
        var c1 = a0;
        var d0 = a0;
        var d1 = a0;
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            var d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, block)));
            for (int part = 0; part < PARTS_PER_16; part++) {
                var q = ints(bytes(w, block + 2 + part * L));
                var w0 = lowFloats(q).mul(d);
                var w1 = highFloats(q).mul(d);
                int xb = x4Off + b * 4 * BLOCK + part * L;
                a0 = w0.fma(FloatVector.fromArray(F, x4, xb), a0);
                a1 = w1.fma(FloatVector.fromArray(F, x4, xb + 16), a1);
                b0 = w0.fma(FloatVector.fromArray(F, x4, xb + 32), b0);
                b1 = w1.fma(FloatVector.fromArray(F, x4, xb + 48), b1);
                c0 = w0.fma(FloatVector.fromArray(F, x4, xb + 64), c0);
                c1 = w1.fma(FloatVector.fromArray(F, x4, xb + 80), c1);
                d0 = w0.fma(FloatVector.fromArray(F, x4, xb + 96), d0);
                d1 = w1.fma(FloatVector.fromArray(F, x4, xb + 112), d1);
            }
        }
        Vectors.sum4(a0.add(a1), b0.add(b1), c0.add(c1), d0.add(d1), out, outOff, outStride);
    }

    /**
     * Dots of two weight rows ({@code distance} bytes apart) with one input, each input block loaded once for both rows;
     * bit-identical to two {@link #dotVector} calls (see {@link Q8_0#rowsVector}, also for {@code lanes}).
     */
    public static void rowsVector(MemorySegment w, long off, long distance, float[] x, int xOff, int n,
                                  float[] out, int outOff, int outStride, float[] lanes) {
        checkLength(n);
        var a0 = FloatVector.zero(F);
        var a1 = a0;
        var b0 = a0;
        var b1 = a0;
        for (int b = 0; b < n / BLOCK; b++) {
            long blockA = off + (long) b * BYTES;
            long blockB = blockA + distance;
            var da = scale(w, blockA);
            var db = scale(w, blockB);
            for (int part = 0; part < PARTS_PER_16; part++) {
                int xb = xOff + b * BLOCK + part * L;
                var x0 = FloatVector.fromArray(F, x, xb);
                var x1 = FloatVector.fromArray(F, x, xb + 16);
                var qa = ints(bytes(w, blockA + 2 + part * L));
                var qb = ints(bytes(w, blockB + 2 + part * L));
                a0 = lowFloats(qa).mul(da).fma(x0, a0);
                a1 = highFloats(qa).mul(da).fma(x1, a1);
                b0 = lowFloats(qb).mul(db).fma(x0, b0);
                b1 = highFloats(qb).mul(db).fma(x1, b1);
            }
        }
        a0.add(a1).intoArray(lanes, 0); // through an array: see Vectors.sum(float[], int)
        b0.add(b1).intoArray(lanes, L);
        out[outOff] = Vectors.sum(lanes, 0);
        out[outOff + outStride] = Vectors.sum(lanes, L);
    }

    /**
     * Two rows with two inputs, bit-identical to four {@link #dotVector} calls (see {@link Q8_0#rows2x2}, also for the
     * arguments): each part's packed bytes are widened once for both inputs, each input vector loaded once for both
     * rows.
     */
    public static void rows2x2(MemorySegment w, long off, long distance, float[] x, int xOff, int xStride, int n,
                               float[] out, int outOff, int rowStride, int inputStride, float[] lanes) {
        checkLength(n);
        var a0 = FloatVector.zero(F); // row A with input 0 (a) and input 1 (b); row B with input 0 (c) and 1 (e)
        var a1 = a0;
        var b0 = a0;
        var b1 = a0;
        var c0 = a0;
        var c1 = a0;
        var e0 = a0;
        var e1 = a0;
        for (int b = 0; b < n / BLOCK; b++) {
            long blockA = off + (long) b * BYTES;
            long blockB = blockA + distance;
            var da = scale(w, blockA);
            var db = scale(w, blockB);
            for (int part = 0; part < PARTS_PER_16; part++) {
                int xb = xOff + b * BLOCK + part * L;
                var qa = ints(bytes(w, blockA + 2 + part * L));
                var qb = ints(bytes(w, blockB + 2 + part * L));
                var wa = lowFloats(qa).mul(da);
                var wb = lowFloats(qb).mul(db);
                var xv = FloatVector.fromArray(F, x, xb);
                a0 = wa.fma(xv, a0);
                c0 = wb.fma(xv, c0);
                xv = FloatVector.fromArray(F, x, xb + xStride);
                b0 = wa.fma(xv, b0);
                e0 = wb.fma(xv, e0);
                wa = highFloats(qa).mul(da);
                wb = highFloats(qb).mul(db);
                xv = FloatVector.fromArray(F, x, xb + 16);
                a1 = wa.fma(xv, a1);
                c1 = wb.fma(xv, c1);
                xv = FloatVector.fromArray(F, x, xb + 16 + xStride);
                b1 = wa.fma(xv, b1);
                e1 = wb.fma(xv, e1);
            }
        }
        a0.add(a1).intoArray(lanes, 0); // through an array: see Vectors.sum(float[], int)
        b0.add(b1).intoArray(lanes, L);
        c0.add(c1).intoArray(lanes, 2 * L);
        e0.add(e1).intoArray(lanes, 3 * L);
        Q8_0.sums2x2(lanes, out, outOff, rowStride, inputStride);
    }

    /**
     * The packed bytes widened to ints first, the nibbles then cut with int operations and converted to floats:
     * exactly the values of cutting them as bytes and widening each half, at 1.5x the speed (batch 1, AMD machine,
     * `cputime Q4_0 8192 2048 1`: 4.61-4.66 against 2.98-3.07 GB per CPU-second), since x86 has no byte shift.
     */
    private static IntVector ints(ByteVector packed) {
        return (IntVector) packed.convertShape(VectorOperators.B2I, I, 0);
    }

    /** Low nibbles less 8, as floats: weights {@code j} of the part. */
    private static FloatVector lowFloats(IntVector packed) {
        return (FloatVector) packed.and(0x0f).sub(8).convertShape(VectorOperators.I2F, F, 0);
    }

    /** High nibbles less 8, as floats: weights {@code 16 + j} (bits 4-7 of each byte; the sign extension masked off). */
    private static FloatVector highFloats(IntVector packed) {
        return (FloatVector) packed.lanewise(VectorOperators.ASHR, 4).and(0x0f).sub(8).convertShape(VectorOperators.I2F, F, 0);
    }

    private static FloatVector scale(MemorySegment w, long block) {
        return FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, block)));
    }

    /**
     * The {@code L} packed bytes at {@code at}: weights {@code j} (low nibbles) and {@code 16 + j} (high nibbles) of
     * one part of a block. Loaded per part so that every conversion is lane for lane (see {@code Q8_0.widen}: a part
     * index made the later conversions of a kernel fall back to the Vector API's allocating Java code).
     */
    private static ByteVector bytes(MemorySegment w, long at) {
        return L >= 8 ? ByteVector.fromMemorySegment(BL, w, at, LE) // exactly L bytes
                : ByteVector.fromMemorySegment(BL, w, at, LE, FIRST_L); // 4 of 8: never past the block's end
    }

    /** Expands {@code n} weights at byte {@code off} into {@code dst[dstOff..]}. */
    public static void dequantize(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        checkLength(n);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            float d = Float.float16ToFloat(w.get(SHORT_LE, block));
            for (int j = 0; j < 16; j++) {
                dst[dstOff + b * BLOCK + j] = d * low(w, block, j);
                dst[dstOff + b * BLOCK + 16 + j] = d * high(w, block, j);
            }
        }
    }

    /**
     * Quantizes each block of 32: {@code d = m / -8} where {@code m} is the weight of largest magnitude (sign kept),
     * so {@code m} itself maps to nibble 0 and the rest to {@code clamp(round(x / d) + 8, 0, 15)}.
     */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long off) {
        checkLength(n);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            int sb = srcOff + b * BLOCK;
            float extreme = 0f;
            for (int j = 0; j < BLOCK; j++) {
                if (Math.abs(src[sb + j]) > Math.abs(extreme)) {
                    extreme = src[sb + j];
                }
            }
            float d = extreme / -8f;
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(SHORT_LE, block, Float.floatToFloat16(d));
            for (int j = 0; j < 16; j++) {
                int lo = Math.clamp(Math.round(src[sb + j] * inverse) + 8, 0, 15);
                int hi = Math.clamp(Math.round(src[sb + 16 + j] * inverse) + 8, 0, 15);
                dst.set(ValueLayout.JAVA_BYTE, block + 2 + j, (byte) (lo | hi << 4));
            }
        }
    }

    private static int low(MemorySegment w, long block, int j) {
        return (w.get(ValueLayout.JAVA_BYTE, block + 2 + j) & 0x0f) - 8;
    }

    private static int high(MemorySegment w, long block, int j) {
        return ((w.get(ValueLayout.JAVA_BYTE, block + 2 + j) >> 4) & 0x0f) - 8;
    }

    private static void checkLength(int n) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException("Q4_0 length must be a multiple of 32, was " + n);
        }
    }
}

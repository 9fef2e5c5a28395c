package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.BL;
import static servelab.kernels.matmul.Lanes.F;
import static servelab.kernels.matmul.Lanes.FIRST_L;
import static servelab.kernels.matmul.Lanes.L;
import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.PARTS_PER_16;
import static servelab.kernels.matmul.Lanes.SHORT_LE;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import servelab.kernels.Vectors;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 weight rows (GGUF/ggml {@code block_q8_0}):
 * <pre>
 *   struct block_q8_0 { ggml_half d; int8_t qs[32]; };   // 34 bytes; weight j = d * qs[j]
 * </pre>
 */
public final class Q8_0 {
    static final int BLOCK = 32;
    static final int BYTES = 34;

    private Q8_0() {}

    /** Reference: per block, {@code d * sum_j qs[j] * x[j]} with the inner sum in order, blocks summed in order. */
    public static float dot(MemorySegment w, long off, float[] x, int xOff, int n) {
        checkLength(n);
        float sum = 0f;
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            float d = Float.float16ToFloat(w.get(SHORT_LE, block));
            float blockSum = 0f;
            for (int j = 0; j < BLOCK; j++) {
                blockSum += w.get(ValueLayout.JAVA_BYTE, block + 2 + j) * x[xOff + b * BLOCK + j];
            }
            sum += d * blockSum;
        }
        return sum;
    }

    /**
     * Vector API version of {@link #dot}: each 16-byte half block is widened to floats ({@code B2F} is exact for
     * int8) and scaled by {@code d}, then multiplied into one accumulator per half. {@link #dotsPacked} does the same
     * operations per input, so a row's result does not depend on the batch it is part of.
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
                acc0 = widen(w, block + 2 + part * L).mul(d).fma(FloatVector.fromArray(F, x, xb + part * L), acc0);
                acc1 = widen(w, block + 18 + part * L).mul(d).fma(FloatVector.fromArray(F, x, xb + 16 + part * L), acc1);
            }
        }
        acc0.add(acc1).intoArray(lanes, 0);
        return Vectors.sum(lanes, 0);
    }

    /**
     * Four dots of one weight row at once: {@code out[outOff + i * outStride] = row . x_i} for the four inputs
     * {@code x_i} that {@link MatMul#pack4} interleaved block by block into {@code x4[x4Off ..]} (per block of 32
     * columns, input 0's 32 floats, then input 1's, 2's, 3's). Each block is widened and scaled once for all four
     * inputs; per input the operations are exactly those of {@link #dotVector}, so the results are bit-identical to four
     * single calls. The interleaving makes every input load an offset of one index that grows by 128 per block: with
     * four separately strided rows the compiled loop kept four more indices and their bounds checks, spilled registers,
     * and ran a fifth slower.
     */
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
        long block = off;
        for (int xi = x4Off, end = x4Off + n * 4; xi < end; xi += 4 * BLOCK, block += BYTES) {
            var d = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, block)));
            for (int part = 0; part < PARTS_PER_16; part++) {
                var w0 = widen(w, block + 2 + part * L).mul(d);
                var w1 = widen(w, block + 18 + part * L).mul(d);
                int xb = xi + part * L;
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
     * Dots of two weight rows (at byte offsets {@code off} and {@code off + distance}) with one input, into
     * {@code out[outOff]} and {@code out[outOff + outStride]}. Each input block is loaded once for both rows: a long
     * input (8192 floats = 32 KiB) does not stay in L1 next to the streaming weights, and measured on an AMD EPYC a
     * one-row Q8_0 matvec with 8192 columns ran at half the speed of one with 2048. Per row the operations are exactly
     * those of {@link #dotVector}, so the results are bit-identical to two single calls. (Four rows at once would
     * share more, but the JIT then stops inlining the vector operations and the kernel slows down tenfold.)
     * {@code lanes} (at least {@code 2 L} floats) takes the two rows' lanes for their sums, so that nothing is boxed.
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
            var da = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, blockA)));
            var db = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, blockB)));
            for (int part = 0; part < PARTS_PER_16; part++) {
                int xb = xOff + b * BLOCK + part * L;
                var x0 = FloatVector.fromArray(F, x, xb);
                var x1 = FloatVector.fromArray(F, x, xb + 16);
                long p = part * L;
                a0 = widen(w, blockA + 2 + p).mul(da).fma(x0, a0);
                a1 = widen(w, blockA + 18 + p).mul(da).fma(x1, a1);
                b0 = widen(w, blockB + 2 + p).mul(db).fma(x0, b0);
                b1 = widen(w, blockB + 18 + p).mul(db).fma(x1, b1);
            }
        }
        a0.add(a1).intoArray(lanes, 0); // through an array: see Vectors.sum(float[], int)
        b0.add(b1).intoArray(lanes, L);
        out[outOff] = Vectors.sum(lanes, 0);
        out[outOff + outStride] = Vectors.sum(lanes, L);
    }

    /**
     * Two weight rows (at byte offsets {@code off} and {@code off + distance}) with two inputs (at {@code x[xOff..]} and
     * {@code x[xOff + xStride..]}): {@code out[outOff + i * inputStride + k * rowStride]} for input {@code i} and row
     * {@code k}. Each half block is widened and scaled once for both inputs, and each input vector is loaded once for
     * both rows, so two inputs cost about 1.3 single passes over the weights where two passes of {@link #rowsVector}
     * cost two (kernels/README.md): a speculative verification of one draft, or two running sequences, is nearly
     * the price of one decode. Per output the operations are exactly those of {@link #dotVector}, so the results are
     * bit-identical to four single calls. Eight accumulators, four widened halves and an input vector fill fifteen of
     * AVX2's sixteen registers; the halves are done one after the other to keep it so. {@code lanes} (at least
     * {@code 4 L} floats) takes the four outputs' lanes for their sums.
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
            var da = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, blockA)));
            var db = FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, blockB)));
            for (int part = 0; part < PARTS_PER_16; part++) {
                int xb = xOff + b * BLOCK + part * L;
                long p = part * L;
                var wa = widen(w, blockA + 2 + p).mul(da);
                var wb = widen(w, blockB + 2 + p).mul(db);
                var xv = FloatVector.fromArray(F, x, xb);
                a0 = wa.fma(xv, a0);
                c0 = wb.fma(xv, c0);
                xv = FloatVector.fromArray(F, x, xb + xStride);
                b0 = wa.fma(xv, b0);
                e0 = wb.fma(xv, e0);
                wa = widen(w, blockA + 18 + p).mul(da);
                wb = widen(w, blockB + 18 + p).mul(db);
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
        sums2x2(lanes, out, outOff, rowStride, inputStride);
    }

    /**
     * The lane sums of a two-by-two tile into {@code out}: {@code lanes} holds row A with inputs 0 and 1, then row B
     * with inputs 0 and 1, {@code L} floats each. Vectors are stored by the kernel itself: passed to a method that C2
     * does not inline, they would be boxed (Q4_0's kernel allocated 256 bytes per call that way).
     */
    static void sums2x2(float[] lanes, float[] out, int outOff, int rowStride, int inputStride) {
        out[outOff] = Vectors.sum(lanes, 0);
        out[outOff + inputStride] = Vectors.sum(lanes, L);
        out[outOff + rowStride] = Vectors.sum(lanes, 2 * L);
        out[outOff + rowStride + inputStride] = Vectors.sum(lanes, 3 * L);
    }

    /**
     * The {@code L} weights at byte {@code at}, as floats. Each part of a block is loaded as {@code L} bytes of its
     * own and converted lane for lane, so no conversion needs a part index: the JIT emits the conversion instruction
     * only for a part it sees as a constant, and with sixteen bytes loaded once and split into parts (two parts with
     * AVX2) the later conversions of a kernel fell back to the Vector API's allocating Java code once C2's node
     * budget for inlining ran out (NodeCountInliningCutoff, seen with -XX:+PrintInlining): about 2 GB/s of garbage
     * in a decode step. The values, and so the sums, are the same as before.
     */
    private static FloatVector widen(MemorySegment w, long at) {
        var q = L >= 8 ? ByteVector.fromMemorySegment(BL, w, at, LE) // exactly L bytes
                : ByteVector.fromMemorySegment(BL, w, at, LE, FIRST_L); // 4 of 8: never past the block's end
        return (FloatVector) q.convertShape(VectorOperators.B2F, F, 0);
    }

    /** Expands {@code n} weights at byte {@code off} into {@code dst[dstOff..]} as {@code d * qs[j]}. */
    public static void dequantize(MemorySegment w, long off, float[] dst, int dstOff, int n) {
        checkLength(n);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            float d = Float.float16ToFloat(w.get(SHORT_LE, block));
            for (int j = 0; j < BLOCK; j++) {
                dst[dstOff + b * BLOCK + j] = d * w.get(ValueLayout.JAVA_BYTE, block + 2 + j);
            }
        }
    }

    /** Quantizes each block of 32 with {@code d = max|x| / 127} and {@code qs = round(x / d)}. */
    public static void quantize(float[] src, int srcOff, int n, MemorySegment dst, long off) {
        checkLength(n);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(src[srcOff + b * BLOCK + j]));
            }
            float d = amax / 127f;
            float inverse = d == 0f ? 0f : 1f / d;
            dst.set(SHORT_LE, block, Float.floatToFloat16(d));
            for (int j = 0; j < BLOCK; j++) {
                dst.set(ValueLayout.JAVA_BYTE, block + 2 + j, (byte) Math.round(src[srcOff + b * BLOCK + j] * inverse));
            }
        }
    }

    private static void checkLength(int n) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 length must be a multiple of 32, was " + n);
        }
    }
}

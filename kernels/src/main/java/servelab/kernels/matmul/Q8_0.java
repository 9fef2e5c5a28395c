package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.B8;
import static servelab.kernels.matmul.Lanes.HALF;
import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.Q;
import static servelab.kernels.matmul.Lanes.SHORT_LE;
import static jdk.incubator.vector.VectorOperators.B2F;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import servelab.kernels.Vectors;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

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
     * Vector API version of {@link #dot}, in eight-float lanes: per block the four quarters (eight bytes each) are
     * widened exactly ({@code B2F}), multiplied with the input in two chains of two, the chains added, and the sum
     * multiplied by the block's scale into one accumulator ({@code acc = (s + s2) * d + acc}, one fma). The scale is
     * applied once per block, not per weight, and read from a table ({@link Lanes#HALF}). {@link #dotsVector} does
     * exactly these operations per input row, so a row's result does not depend on the batch it is part of.
     */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n) {
        checkLength(n);
        var acc = FloatVector.zero(Q);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            int xb = xOff + b * BLOCK;
            // written out rather than through helpers: C2 then compiles the loop as one unit and keeps every
            // vector in registers (a helper compiled on its own first may no longer be inlined, and its vectors
            // get boxed)
            var d = FloatVector.broadcast(Q, HALF[w.get(SHORT_LE, block) & 0xffff]);
            var s = ((FloatVector) ByteVector.fromMemorySegment(B8, w, block + 2, LE).convertShape(B2F, Q, 0))
                    .mul(FloatVector.fromArray(Q, x, xb));
            s = ((FloatVector) ByteVector.fromMemorySegment(B8, w, block + 10, LE).convertShape(B2F, Q, 0))
                    .fma(FloatVector.fromArray(Q, x, xb + 8), s);
            var s2 = ((FloatVector) ByteVector.fromMemorySegment(B8, w, block + 18, LE).convertShape(B2F, Q, 0))
                    .mul(FloatVector.fromArray(Q, x, xb + 16));
            s2 = ((FloatVector) ByteVector.fromMemorySegment(B8, w, block + 26, LE).convertShape(B2F, Q, 0))
                    .fma(FloatVector.fromArray(Q, x, xb + 24), s2);
            acc = s.add(s2).fma(d, acc);
        }
        return Vectors.sum8(acc);
    }

    /**
     * Four dots of one weight row at once: {@code out[outOff + i * outStride] = row . x[xOff + i * xStride ..]} for
     * i = 0..3. Each block is widened once for all four inputs; per input the operations are exactly those of
     * {@link #dotVector}, so the results are bit-identical to four single calls.
     */
    public static void dotsVector(MemorySegment w, long off, float[] x, int xOff, int xStride, int n,
                                  float[] out, int outOff, int outStride) {
        checkLength(n);
        var a = FloatVector.zero(Q);
        var c = a;
        var e = a;
        var g = a;
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            var d = FloatVector.broadcast(Q, HALF[w.get(SHORT_LE, block) & 0xffff]);
            var w0 = (FloatVector) ByteVector.fromMemorySegment(B8, w, block + 2, LE).convertShape(B2F, Q, 0);
            var w1 = (FloatVector) ByteVector.fromMemorySegment(B8, w, block + 10, LE).convertShape(B2F, Q, 0);
            var w2 = (FloatVector) ByteVector.fromMemorySegment(B8, w, block + 18, LE).convertShape(B2F, Q, 0);
            var w3 = (FloatVector) ByteVector.fromMemorySegment(B8, w, block + 26, LE).convertShape(B2F, Q, 0);
            int xa = xOff + b * BLOCK;
            int xc = xa + xStride;
            int xe = xc + xStride;
            int xg = xe + xStride;
            var as = w0.mul(FloatVector.fromArray(Q, x, xa));
            as = w1.fma(FloatVector.fromArray(Q, x, xa + 8), as);
            var at = w2.mul(FloatVector.fromArray(Q, x, xa + 16));
            at = w3.fma(FloatVector.fromArray(Q, x, xa + 24), at);
            a = as.add(at).fma(d, a);
            var cs = w0.mul(FloatVector.fromArray(Q, x, xc));
            cs = w1.fma(FloatVector.fromArray(Q, x, xc + 8), cs);
            var ct = w2.mul(FloatVector.fromArray(Q, x, xc + 16));
            ct = w3.fma(FloatVector.fromArray(Q, x, xc + 24), ct);
            c = cs.add(ct).fma(d, c);
            var es = w0.mul(FloatVector.fromArray(Q, x, xe));
            es = w1.fma(FloatVector.fromArray(Q, x, xe + 8), es);
            var et = w2.mul(FloatVector.fromArray(Q, x, xe + 16));
            et = w3.fma(FloatVector.fromArray(Q, x, xe + 24), et);
            e = es.add(et).fma(d, e);
            var gs = w0.mul(FloatVector.fromArray(Q, x, xg));
            gs = w1.fma(FloatVector.fromArray(Q, x, xg + 8), gs);
            var gt = w2.mul(FloatVector.fromArray(Q, x, xg + 16));
            gt = w3.fma(FloatVector.fromArray(Q, x, xg + 24), gt);
            g = gs.add(gt).fma(d, g);
        }
        out[outOff] = Vectors.sum8(a);
        out[outOff + outStride] = Vectors.sum8(c);
        out[outOff + 2 * outStride] = Vectors.sum8(e);
        out[outOff + 3 * outStride] = Vectors.sum8(g);
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

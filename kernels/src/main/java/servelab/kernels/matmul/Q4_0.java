package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.B16;
import static servelab.kernels.matmul.Lanes.HALF;
import static servelab.kernels.matmul.Lanes.LE;
import static servelab.kernels.matmul.Lanes.Q;
import static servelab.kernels.matmul.Lanes.SHORT_LE;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.LSHR;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import servelab.kernels.Vectors;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

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
     * Vector API version of {@link #dot} with the operations of {@link Q8_0#dotVector}: the 16 packed bytes are split
     * into low and high nibbles less 8, each widened in two eight-float quarters, multiplied with the input in two
     * chains, and the block sum scaled once into the accumulator. {@link #dotsVector} does the same per input row.
     */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n) {
        checkLength(n);
        var a = FloatVector.zero(Q);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            int xa = xOff + b * BLOCK;
            var d = FloatVector.broadcast(Q, HALF[w.get(SHORT_LE, block) & 0xffff]);
            var packed = ByteVector.fromMemorySegment(B16, w, block + 2, LE);
            var low = packed.and((byte) 0x0f).sub((byte) 8);
            var high = packed.lanewise(LSHR, 4).and((byte) 0x0f).sub((byte) 8);
            var w0 = (FloatVector) low.convertShape(B2F, Q, 0);
            var w1 = (FloatVector) low.convertShape(B2F, Q, 1);
            var w2 = (FloatVector) high.convertShape(B2F, Q, 0);
            var w3 = (FloatVector) high.convertShape(B2F, Q, 1);
            var as = w0.mul(FloatVector.fromArray(Q, x, xa));
            as = w1.fma(FloatVector.fromArray(Q, x, xa + 8), as);
            var at = w2.mul(FloatVector.fromArray(Q, x, xa + 16));
            at = w3.fma(FloatVector.fromArray(Q, x, xa + 24), at);
            a = as.add(at).fma(d, a);
        }
        return Vectors.sum8(a);
    }

    /** Four dots of one weight row at once, bit-identical to four {@link #dotVector} calls (see {@link Q8_0#dotsVector}). */
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
            var packed = ByteVector.fromMemorySegment(B16, w, block + 2, LE);
            var low = packed.and((byte) 0x0f).sub((byte) 8);
            var high = packed.lanewise(LSHR, 4).and((byte) 0x0f).sub((byte) 8);
            var w0 = (FloatVector) low.convertShape(B2F, Q, 0);
            var w1 = (FloatVector) low.convertShape(B2F, Q, 1);
            var w2 = (FloatVector) high.convertShape(B2F, Q, 0);
            var w3 = (FloatVector) high.convertShape(B2F, Q, 1);
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

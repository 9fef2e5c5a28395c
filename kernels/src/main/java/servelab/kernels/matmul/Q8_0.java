package servelab.kernels.matmul;

import static servelab.kernels.matmul.Lanes.B16;
import static servelab.kernels.matmul.Lanes.F;
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
     * int8), multiplied into a block accumulator, which is scaled by {@code d} into the row accumulator.
     */
    public static float dotVector(MemorySegment w, long off, float[] x, int xOff, int n) {
        checkLength(n);
        var acc = FloatVector.zero(F);
        for (int b = 0; b < n / BLOCK; b++) {
            long block = off + (long) b * BYTES;
            int xb = xOff + b * BLOCK;
            var blockAcc = FloatVector.zero(F);
            for (int half = 0; half < 2; half++) {
                var q = ByteVector.fromMemorySegment(B16, w, block + 2 + 16 * half, LE);
                for (int part = 0; part < PARTS_PER_16; part++) {
                    var qf = (FloatVector) q.convertShape(VectorOperators.B2F, F, part);
                    blockAcc = qf.fma(FloatVector.fromArray(F, x, xb + 16 * half + part * L), blockAcc);
                }
            }
            acc = blockAcc.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(SHORT_LE, block))), acc);
        }
        return Vectors.sum(acc);
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

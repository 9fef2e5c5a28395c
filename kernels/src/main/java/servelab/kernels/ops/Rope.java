package servelab.kernels.ops;

import static servelab.kernels.Vectors.F;
import static servelab.kernels.Vectors.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;

/**
 * Rotary position embedding as GGUF Llama models use it: within each head, the pair {@code (v[2i], v[2i+1])} is
 * rotated by the angle {@code position * freq[i]}, with {@code freq[i] = theta^(-2i/headDim) / divisor[i]}.
 * (GGUF converters permute the Q and K weights so that adjacent pairs are rotated, not halves.)
 */
public final class Rope {
    /** Swaps lanes 2i and 2i+1. */
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(F, i -> i ^ 1);

    private Rope() {}

    /** The {@code headDim / 2} angular frequencies, unscaled. */
    public static float[] frequencies(int headDim, double theta) {
        return frequencies(headDim, theta, ones(headDim / 2));
    }

    /** The {@code headDim / 2} angular frequencies, each divided by its {@code divisors} entry (see {@link RopeScaling}). */
    public static float[] frequencies(int headDim, double theta, float[] divisors) {
        if (headDim <= 0 || headDim % 2 != 0) {
            throw new IllegalArgumentException("headDim must be even and > 0, was " + headDim);
        }
        if (divisors.length != headDim / 2) {
            throw new IllegalArgumentException("need " + headDim / 2 + " RoPE divisors, got " + divisors.length);
        }
        var freqs = new float[headDim / 2];
        for (int i = 0; i < freqs.length; i++) {
            freqs[i] = (float) (Math.pow(theta, -2.0 * i / headDim) / divisors[i]);
        }
        return freqs;
    }

    private static float[] ones(int n) {
        var ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        return ones;
    }

    /** Reference: rotates {@code heads} heads of {@code headDim} starting at {@code v[off]}. */
    public static void reference(float[] v, int off, int heads, int headDim, int position, float[] freqs) {
        for (int i = 0; i < headDim / 2; i++) {
            double angle = (double) position * freqs[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int at = off + h * headDim + 2 * i;
                float x0 = v[at];
                float x1 = v[at + 1];
                v[at] = x0 * cos - x1 * sin;
                v[at + 1] = x0 * sin + x1 * cos;
            }
        }
    }

    /**
     * Vector API version: with {@code c = [c0, c0, c1, c1, ...]} and {@code s = [-s0, s0, -s1, s1, ...]} the rotation
     * is {@code v * c + swapPairs(v) * s}. The angles' cosines and sines are the reference's, computed once per call.
     */
    public static void vector(float[] v, int off, int heads, int headDim, int position, float[] freqs) {
        var cos = new float[headDim];
        var sin = new float[headDim];
        for (int i = 0; i < headDim / 2; i++) {
            double angle = (double) position * freqs[i];
            cos[2 * i] = cos[2 * i + 1] = (float) Math.cos(angle);
            sin[2 * i + 1] = (float) Math.sin(angle);
            sin[2 * i] = -sin[2 * i + 1];
        }
        int vectorEnd = headDim - headDim % L;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            for (int j = 0; j < vectorEnd; j += L) {
                var x = FloatVector.fromArray(F, v, base + j);
                var swapped = x.rearrange(SWAP_PAIRS);
                x.mul(FloatVector.fromArray(F, cos, j)).add(swapped.mul(FloatVector.fromArray(F, sin, j))).intoArray(v, base + j);
            }
            for (int j = vectorEnd; j < headDim; j += 2) {
                float x0 = v[base + j];
                float x1 = v[base + j + 1];
                v[base + j] = x0 * cos[j] + x1 * sin[j];
                v[base + j + 1] = x1 * cos[j] + x0 * sin[j + 1];
            }
        }
    }
}

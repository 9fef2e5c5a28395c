package servelab.kernels.attention;

import static servelab.kernels.Vectors.F;
import static servelab.kernels.Vectors.L;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import servelab.kernels.Vectors;

/**
 * Running state of flash-style attention for the query heads of one group: per head the largest score so far
 * {@code m}, the sum of {@code exp(score - m)} so far {@code l}, and the output accumulated with those weights. A
 * tile whose max exceeds {@code m} first rescales {@code l} and the output by {@code exp(m_old - m_new)}.
 */
final class OnlineSoftmax {
    /** Rows per tile: a multiple of every lane count, and small enough that the scores stay in registers or L1. */
    static final int TILE = 32;

    private final int group;
    private final int headDim;
    private final float scale;
    private final float[] q;
    private final int qOff;
    private final float[] max;
    private final float[] sum;
    private final float[] acc;
    private final float[] scores;

    OnlineSoftmax(AttentionShape shape, float[] q, int qOff) {
        this.group = shape.groupSize();
        this.headDim = shape.headDim();
        this.scale = shape.scale();
        this.q = q;
        this.qOff = qOff;
        this.max = new float[group];
        this.sum = new float[group];
        this.acc = new float[group * headDim];
        this.scores = new float[group * TILE];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
    }

    /** Folds in {@code count} rows of keys and values starting at float index {@code base}, in tiles. */
    void run(float[] keys, float[] values, int base, int count) {
        for (int t0 = 0; t0 < count; t0 += TILE) {
            tile(keys, values, base + t0 * headDim, Math.min(TILE, count - t0));
        }
    }

    private void tile(float[] keys, float[] values, int base, int rows) {
        // scores of every head of the group against each key row, the row loaded once for all heads
        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < group; i++) {
                scores[i * TILE + r] = dot(q, qOff + i * headDim, keys, base + r * headDim) * scale;
            }
        }
        // new running max, rescale what came before, weights exp(score - max); rows past `rows` are -inf, weight 0
        for (int i = 0; i < group; i++) {
            var tileMax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < TILE; r += L) {
                tileMax = tileMax.max(FloatVector.fromArray(F, scores, i * TILE + r));
            }
            float newMax = Math.max(max[i], Vectors.max(tileMax));
            float correction = (float) Math.exp(max[i] - newMax);
            max[i] = newMax;
            var weightSum = FloatVector.zero(F);
            for (int r = 0; r < TILE; r += L) {
                var w = Vectors.exp(FloatVector.fromArray(F, scores, i * TILE + r).sub(newMax));
                w.intoArray(scores, i * TILE + r);
                weightSum = weightSum.add(w);
            }
            sum[i] = sum[i] * correction + Vectors.sum(weightSum);
            scaleRow(acc, i * headDim, correction);
        }
        // output += weight * value row, each value row loaded once for all heads
        int vectorEnd = headDim - headDim % L;
        for (int r = 0; r < rows; r++) {
            int row = base + r * headDim;
            for (int d = 0; d < vectorEnd; d += L) {
                var v = FloatVector.fromArray(F, values, row + d);
                for (int i = 0; i < group; i++) {
                    int at = i * headDim + d;
                    v.fma(FloatVector.broadcast(F, scores[i * TILE + r]), FloatVector.fromArray(F, acc, at)).intoArray(acc, at);
                }
            }
            for (int d = vectorEnd; d < headDim; d++) {
                for (int i = 0; i < group; i++) {
                    acc[i * headDim + d] = Math.fma(values[row + d], scores[i * TILE + r], acc[i * headDim + d]);
                }
            }
        }
    }

    /** Writes {@code acc / sum} for every head of the group, head after head, at {@code out[outOff]}. */
    void finish(float[] out, int outOff) {
        for (int i = 0; i < group; i++) {
            float inverse = 1f / sum[i];
            for (int d = 0; d < headDim; d++) {
                out[outOff + i * headDim + d] = acc[i * headDim + d] * inverse;
            }
        }
    }

    private float dot(float[] a, int aOff, float[] b, int bOff) {
        var acc = FloatVector.zero(F);
        int d = 0;
        for (int end = headDim - L; d <= end; d += L) {
            acc = FloatVector.fromArray(F, a, aOff + d).fma(FloatVector.fromArray(F, b, bOff + d), acc);
        }
        float dot = Vectors.sum(acc);
        for (; d < headDim; d++) {
            dot += a[aOff + d] * b[bOff + d];
        }
        return dot;
    }

    private void scaleRow(float[] row, int off, float factor) {
        int d = 0;
        for (int end = headDim - L; d <= end; d += L) {
            FloatVector.fromArray(F, row, off + d).mul(factor).intoArray(row, off + d);
        }
        for (; d < headDim; d++) {
            row[off + d] *= factor;
        }
    }
}

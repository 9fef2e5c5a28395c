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
    /** Float index of each pending row of the current tile, in position order. */
    private final int[] rowOffsets;
    private int pending;

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
        this.rowOffsets = new int[TILE];
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
    }

    /**
     * Adds {@code count} consecutive rows starting at float index {@code base} to the pending tile, folding the tile
     * in whenever it fills. Rows of different runs (blocks) share tiles, so a paged sequence pays the per-tile cost
     * (rescaling, the max and the exponentials' setup) no more often than a contiguous one.
     */
    void add(float[] keys, float[] values, int base, int count) {
        for (int r = 0; r < count; r++) {
            rowOffsets[pending++] = base + r * headDim;
            if (pending == TILE) {
                flush(keys, values);
            }
        }
    }

    /** Folds in the rows still pending. */
    void flush(float[] keys, float[] values) {
        if (pending > 0) {
            tile(keys, values, pending);
            pending = 0;
        }
    }

    private void tile(float[] keys, float[] values, int rows) {
        int width = (rows + L - 1) / L * L;
        // scores of every head of the group against each key row, the row loaded once for all heads
        for (int r = 0; r < rows; r++) {
            int row = rowOffsets[r];
            for (int i = 0; i < group; i++) {
                scores[i * TILE + r] = dot(q, qOff + i * headDim, keys, row) * scale;
            }
        }
        // new running max, rescale what came before, weights exp(score - max); lanes past `rows` are -inf, weight 0
        for (int i = 0; i < group; i++) {
            for (int r = rows; r < width; r++) {
                scores[i * TILE + r] = Float.NEGATIVE_INFINITY;
            }
            var tileMax = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int r = 0; r < width; r += L) {
                tileMax = tileMax.max(FloatVector.fromArray(F, scores, i * TILE + r));
            }
            float newMax = Math.max(max[i], Vectors.max(tileMax));
            float correction = (float) Math.exp(max[i] - newMax);
            max[i] = newMax;
            var weightSum = FloatVector.zero(F);
            for (int r = 0; r < width; r += L) {
                var w = Vectors.exp(FloatVector.fromArray(F, scores, i * TILE + r).sub(newMax));
                w.intoArray(scores, i * TILE + r);
                weightSum = weightSum.add(w);
            }
            sum[i] = sum[i] * correction + Vectors.sum(weightSum);
            scaleRow(acc, i * headDim, correction);
        }
        // output += weight * value row; each accumulator stays in a register across the tile's rows
        int vectorEnd = headDim - headDim % L;
        for (int i = 0; i < group; i++) {
            int weights = i * TILE;
            for (int d = 0; d < vectorEnd; d += L) {
                int at = i * headDim + d;
                var out = FloatVector.fromArray(F, acc, at);
                for (int r = 0; r < rows; r++) {
                    out = FloatVector.fromArray(F, values, rowOffsets[r] + d).fma(FloatVector.broadcast(F, scores[weights + r]), out);
                }
                out.intoArray(acc, at);
            }
            for (int d = vectorEnd; d < headDim; d++) {
                float out = acc[i * headDim + d];
                for (int r = 0; r < rows; r++) {
                    out = Math.fma(values[rowOffsets[r] + d], scores[weights + r], out);
                }
                acc[i * headDim + d] = out;
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

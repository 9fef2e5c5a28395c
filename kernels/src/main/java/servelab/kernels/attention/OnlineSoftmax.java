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
        scoreRows(keys, rows);
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
        // output += weight * value row; each accumulator stays in a register across the tile's rows, four of them at
        // a time so that four fma chains run side by side (one chain waited on each fma's latency; every element gets
        // the same fma in the same order either way)
        int vectorEnd = headDim - headDim % L;
        for (int i = 0; i < group; i++) {
            int weights = i * TILE;
            int d = 0;
            for (; d + 4 * L <= vectorEnd; d += 4 * L) {
                int at = i * headDim + d;
                var o0 = FloatVector.fromArray(F, acc, at);
                var o1 = FloatVector.fromArray(F, acc, at + L);
                var o2 = FloatVector.fromArray(F, acc, at + 2 * L);
                var o3 = FloatVector.fromArray(F, acc, at + 3 * L);
                for (int r = 0; r < rows; r++) {
                    var w = FloatVector.broadcast(F, scores[weights + r]);
                    int v = rowOffsets[r] + d;
                    o0 = FloatVector.fromArray(F, values, v).fma(w, o0);
                    o1 = FloatVector.fromArray(F, values, v + L).fma(w, o1);
                    o2 = FloatVector.fromArray(F, values, v + 2 * L).fma(w, o2);
                    o3 = FloatVector.fromArray(F, values, v + 3 * L).fma(w, o3);
                }
                o0.intoArray(acc, at);
                o1.intoArray(acc, at + L);
                o2.intoArray(acc, at + 2 * L);
                o3.intoArray(acc, at + 3 * L);
            }
            for (; d < vectorEnd; d += L) {
                int at = i * headDim + d;
                var out = FloatVector.fromArray(F, acc, at);
                for (int r = 0; r < rows; r++) {
                    out = FloatVector.fromArray(F, values, rowOffsets[r] + d).fma(FloatVector.broadcast(F, scores[weights + r]), out);
                }
                out.intoArray(acc, at);
            }
            for (; d < headDim; d++) {
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

    /**
     * Scores of every head of the group against each key row of the tile, into {@code scores}: each row loaded once
     * for all heads; four heads at a time share one butterfly for their lane sums ({@link Vectors#sum4}: the bits of
     * four {@link Vectors#sum} calls), and two rows go side by side (eight fma chains, where one {@link #dot} at a
     * time waited on each fma's latency). Every score is the one {@link #dot} gives, bit for bit.
     */
    private void scoreRows(float[] keys, int rows) {
        int jointHeads = headDim % L == 0 ? group / 4 * 4 : 0;
        int r = 0;
        for (; r + 2 <= rows && jointHeads > 0; r += 2) {
            for (int i = 0; i < jointHeads; i += 4) {
                dots4x2(keys, rowOffsets[r], rowOffsets[r + 1], i, r);
            }
        }
        if (r < rows) {   // an odd last row, as both rows of a pair: column r + 1 lies past `rows`, and tile() sets
                          // the columns up to the vector width after the rows to -inf afterwards
            for (int i = 0; i < jointHeads; i += 4) {
                dots4x2(keys, rowOffsets[r], rowOffsets[r], i, r);
            }
        }
        for (r = 0; r < rows; r++) {
            for (int i = jointHeads; i < group; i++) {
                scores[i * TILE + r] = dot(q, qOff + i * headDim, keys, rowOffsets[r]) * scale;
            }
        }
    }

    /**
     * Scores of heads {@code i..i+3} against the key rows at {@code rowA} and {@code rowB} into columns {@code r} and
     * {@code r + 1} of {@code scores}: per score the same fma chain as {@link #dot} (the head dimension a multiple of
     * the lanes, so no scalar tail) and the same lane sums, then the scale.
     */
    private void dots4x2(float[] keys, int rowA, int rowB, int i, int r) {
        int q0 = qOff + i * headDim;
        var a0 = FloatVector.zero(F);
        var a1 = a0;
        var a2 = a0;
        var a3 = a0;
        var b0 = a0;
        var b1 = a0;
        var b2 = a0;
        var b3 = a0;
        for (int d = 0; d < headDim; d += L) {
            var ka = FloatVector.fromArray(F, keys, rowA + d);
            var kb = FloatVector.fromArray(F, keys, rowB + d);
            var x = FloatVector.fromArray(F, q, q0 + d);
            a0 = x.fma(ka, a0);
            b0 = x.fma(kb, b0);
            x = FloatVector.fromArray(F, q, q0 + headDim + d);
            a1 = x.fma(ka, a1);
            b1 = x.fma(kb, b1);
            x = FloatVector.fromArray(F, q, q0 + 2 * headDim + d);
            a2 = x.fma(ka, a2);
            b2 = x.fma(kb, b2);
            x = FloatVector.fromArray(F, q, q0 + 3 * headDim + d);
            a3 = x.fma(ka, a3);
            b3 = x.fma(kb, b3);
        }
        int at = i * TILE + r;
        Vectors.sum4(a0, a1, a2, a3, scores, at, TILE);
        Vectors.sum4(b0, b1, b2, b3, scores, at + 1, TILE);
        for (int h = 0; h < 4; h++) {
            scores[at + h * TILE] *= scale;
            scores[at + 1 + h * TILE] *= scale;
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

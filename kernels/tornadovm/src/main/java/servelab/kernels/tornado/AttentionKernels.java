package servelab.kernels.tornado;

import static servelab.kernels.tornado.GroupKernels.LOWEST;
import static servelab.kernels.tornado.GroupKernels.WG;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Causal paged attention on the device, one work-group of {@link GroupKernels#WG} threads per token x query head, or,
 * for a run of few tokens over long contexts, per token x query head x split (flash-decoding): each split scores its
 * own span of the positions and leaves a partial result (its maximum, sum and unnormalized output), and
 * {@link #combine} merges the splits. A decode of one sequence has only {@code heads} token x head groups, far fewer
 * than a GPU has multiprocessors, and each group reads the whole context; split, the context is read by
 * {@code heads x splits} groups at once. {@link StepMetadata#splitsFor} chooses the splits per run.
 *
 * <p>Reference: {@link servelab.kernels.attention.Attention#reference}. The sums run in another order (a tree over
 * the group, and per split), so results agree within float rounding, not bit for bit.
 *
 * <p>PoCL 3.1 corrupted its heap with barriers inside {@code if (t < count)}, and with a barrier after a loop whose
 * trip count differs per work-item: the loops over a tile run the same number of times in every thread of a group,
 * and no barrier is inside a branch.
 */
public final class AttentionKernels {
    /**
     * Positions an attention group scores at a time: a tile's scores live in local memory (8 KiB), and longer
     * spans go tile after tile with an online softmax, so no global scratch and no global fence are needed.
     */
    public static final int TILE = 2048;

    private AttentionKernels() {}

    /**
     * Token {@code t} (query head {@code h}, KV head {@code h / groupSize}) attends to positions {@code 0..positions[t]}
     * of its sequence, whose block ids start at {@code blockTables[tableStarts[tableRows[t]]]}. Pool layout per layer
     * as {@link servelab.kernels.attention.PagedKvCache}: {@code [block][kvHead][row][headDim]}, layer {@code l} at
     * {@code layerOffset}. With {@code s = counts[splitSlot]} splits, group {@code (t * heads + h) * s + k} takes the
     * {@code k}-th of {@code s} equal spans of the positions (the last ones may be empty). The positions go in tiles of
     * {@link #TILE} with an online softmax (the running maximum, sum and output rescaled per tile); thread {@code d}
     * accumulates output element {@code d}, so {@code headDim <= WG}. Unsplit ({@code s == 1}), the output is
     * normalized and written to {@code out}; split, the group writes {@code headDim} unnormalized outputs, its maximum
     * and its sum to {@code partials} ({@code headDim + 2} floats per group, in group order).
     */
    public static void attention(KernelContext ctx, FloatArray q, FloatArray keys, FloatArray values, FloatArray out,
                                 FloatArray partials, IntArray positions, IntArray tableRows, IntArray blockTables,
                                 IntArray counts, int countSlot, int splitSlot, int layerOffset, int heads, int kvHeads,
                                 int headDim, int blockSize, IntArray tableStarts) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        float[] sums = ctx.allocateFloatLocalArray(WG);   // a second array: no barrier needed between max and sum
        float[] scores = ctx.allocateFloatLocalArray(TILE);
        int splits = counts.get(splitSlot);
        int g = ctx.groupIdx;
        int unit = g / splits;   // token x head
        int split = g % splits;
        int t = unit / heads;
        boolean active = t < counts.get(countSlot);
        int h = unit % heads;
        int kvHead = h / (heads / kvHeads);
        int length = active ? positions.get(t) + 1 : 0;
        int span = (length + splits - 1) / splits;
        int from = Math.min(length, split * span);
        int to = Math.min(length, from + span);
        int table = active ? tableStarts.get(tableRows.get(t)) : 0;
        int qBase = t * heads * headDim + h * headDim;
        int d = ctx.localIdx;
        float scale = 1f / TornadoMath.sqrt(headDim);
        float m = LOWEST;   // running maximum, sum and output element d over the tiles so far
        float l = 0f;
        float acc = 0f;
        int tiles = (to - from + TILE - 1) / TILE;
        for (int tile = 0; tile < tiles; tile++) {
            int start = from + tile * TILE;
            int n = Math.min(TILE, to - start);
            float max = LOWEST;
            for (int j = ctx.localIdx; j < TILE; j += WG) {
                if (j < n) {
                    int p = start + j;
                    int row = layerOffset + ((blockTables.get(table + p / blockSize) * kvHeads + kvHead) * blockSize
                            + p % blockSize) * headDim;
                    float dot = 0f;
                    for (int e = 0; e < headDim; e++) {
                        dot += q.get(qBase + e) * keys.get(row + e);
                    }
                    float s = dot * scale;
                    scores[j] = s;
                    max = TornadoMath.max(max, s);
                }
            }
            local[ctx.localIdx] = max;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] = TornadoMath.max(local[ctx.localIdx], local[ctx.localIdx + stride]);
                }
            }
            ctx.localBarrier();
            float mNew = TornadoMath.max(m, local[0]);
            float sum = 0f;
            for (int j = ctx.localIdx; j < TILE; j += WG) {
                if (j < n) {
                    float e = TornadoMath.exp(scores[j] - mNew);
                    scores[j] = e;
                    sum += e;
                }
            }
            sums[ctx.localIdx] = sum;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    sums[ctx.localIdx] += sums[ctx.localIdx + stride];
                }
            }
            ctx.localBarrier();
            float correction = TornadoMath.exp(m - mNew);
            l = l * correction + sums[0];
            float tileAcc = 0f;
            for (int j = 0; j < n; j++) {
                if (d < headDim) {
                    int p = start + j;
                    int row = layerOffset + ((blockTables.get(table + p / blockSize) * kvHeads + kvHead) * blockSize
                            + p % blockSize) * headDim;
                    tileAcc += scores[j] * values.get(row + d);
                }
            }
            acc = acc * correction + tileAcc;
            m = mNew;
            ctx.localBarrier();   // the next tile overwrites the scores
        }
        // each case stores its own value (TornadoVM 5.2 stored a value chosen in an if/else from the else branch)
        if (active && d < headDim) {
            if (splits == 1) {
                out.set(qBase + d, acc / l);
            }
            if (splits > 1) {
                partials.set(g * (headDim + 2) + d, acc);
            }
        }
        if (active && d == 0) {
            if (splits > 1) {
                partials.set(g * (headDim + 2) + headDim, m);
                partials.set(g * (headDim + 2) + headDim + 1, l);
            }
        }
    }

    /**
     * Merges the splits of {@link #attention} when {@code counts[splitSlot] > 1}, one group per token x query head:
     * output element {@code d} is the splits' unnormalized outputs, each rescaled to the largest of their maxima,
     * over their rescaled sums. A split with no positions has maximum {@link GroupKernels#LOWEST} and sum 0, so it
     * adds nothing. Unsplit, every group returns at once ({@link #attention} wrote the outputs).
     */
    public static void combine(KernelContext ctx, FloatArray partials, FloatArray out, IntArray counts, int countSlot,
                               int splitSlot, int heads, int headDim) {
        int splits = counts.get(splitSlot);
        int unit = ctx.groupIdx;
        int t = unit / heads;
        int d = ctx.localIdx;
        boolean active = t < counts.get(countSlot);
        if (splits > 1) {
            if (active) {
                if (d < headDim) {
                    int stride = headDim + 2;
                    int base = unit * splits * stride;
                    float max = LOWEST;
                    for (int k = 0; k < splits; k++) {
                        max = TornadoMath.max(max, partials.get(base + k * stride + headDim));
                    }
                    float l = 0f;
                    float acc = 0f;
                    for (int k = 0; k < splits; k++) {
                        float w = TornadoMath.exp(partials.get(base + k * stride + headDim) - max);
                        l += partials.get(base + k * stride + headDim + 1) * w;
                        acc += partials.get(base + k * stride + d) * w;
                    }
                    out.set(unit * headDim + d, acc / l);
                }
            }
        }
    }
}

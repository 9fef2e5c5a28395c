package servelab.kernels.tornado;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

/**
 * The reductions of a forward step as work-group kernels ({@link KernelContext}): one work-group of {@link #WG}
 * threads per output row (matmul), token (RMSNorm) or logit row (argmax), the
 * threads striding over the reduced dimension and meeting in local memory. A GPU reads each weight row with
 * consecutive threads on consecutive columns, which is what makes a matvec bandwidth-bound rather than latency-bound.
 *
 * <p>Sizes that change from step to step (active tokens, logit rows, positions, block tables) are read from device
 * arrays uploaded with the step ({@code counts[0]} tokens, {@code counts[1]} logit rows): TornadoVM fixes a task's
 * scalar arguments when the graph is built, so a plan is built once for a capacity and its grids cover that
 * capacity; groups past the active count do nothing.
 *
 * <p>References (what the tests compare with): {@link servelab.kernels.matmul.MatMul#reference},
 * {@link servelab.kernels.ops.RmsNorm#reference}, {@link servelab.kernels.sample.Sampler#argmax}; attention is in
 * {@link AttentionKernels}. The sums run in another order (a tree over the group), so results agree within float
 * rounding, not bit for bit. The tree reductions are written out in each kernel: TornadoVM 5.2's
 * sketcher bails out ("Unable to build sketch ... Pi") when a local array is passed to a helper method.
 */
public final class GroupKernels {
    /** Threads per work-group; the local arrays below are this long. */
    public static final int WG = 128;
    /** A finite stand-in for negative infinity: the OpenCL backend rejects some float constants (see README). */
    static final float LOWEST = -3.0e38f;

    private GroupKernels() {}

    /**
     * RMSNorm of row {@code rows[g]} of {@code x} into row {@code g} of {@code out}, for the first
     * {@code counts[countSlot]} groups; {@code rows == null} is not allowed on a device, so the layer norms pass
     * the identity map.
     */
    public static void rmsNorm(KernelContext ctx, FloatArray out, FloatArray x, FloatArray weight, IntArray rows,
                               IntArray counts, int countSlot, int n, float eps) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        int g = ctx.groupIdx;
        // barriers outside any branch (PoCL 3.1, see AttentionKernels): a group past the count sums nothing, writes nothing
        boolean active = g < counts.get(countSlot);
        int src = active ? rows.get(g) * n : 0;
        int length = active ? n : 0;
        float sum = 0f;
        for (int i = ctx.localIdx; i < length; i += WG) {
            sum += x.get(src + i) * x.get(src + i);
        }
        local[ctx.localIdx] = sum;
        for (int stride = WG / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            if (ctx.localIdx < stride) {
                local[ctx.localIdx] += local[ctx.localIdx + stride];
            }
        }
        ctx.localBarrier();
        float scale = 1f / TornadoMath.sqrt(local[0] / n + eps);
        for (int i = ctx.localIdx; i < length; i += WG) {
            out.set(g * n + i, weight.get(i) * (scale * x.get(src + i)));
        }
    }

    /** {@code out[t * rows + r] = W[r] . x[t]} for the first {@code counts[countSlot]} rows of x; F32 weights. */
    public static void matmulF32(KernelContext ctx, FloatArray w, FloatArray x, FloatArray out, IntArray counts,
                                 int countSlot, int rows, int cols) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        int r = ctx.groupIdx;
        int batch = counts.get(countSlot);
        for (int t = 0; t < batch; t++) {
            float sum = 0f;
            for (int c = ctx.localIdx; c < cols; c += WG) {
                sum += w.get(r * cols + c) * x.get(t * cols + c);
            }
            local[ctx.localIdx] = sum;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] += local[ctx.localIdx + stride];
                }
            }
            ctx.localBarrier();
            if (ctx.localIdx == 0) {
                out.set(t * rows + r, local[0]);
            }
        }
    }

    /** As {@link #matmulF32}, IEEE half weights (GGUF F16) as raw 16-bit patterns. */
    public static void matmulF16(KernelContext ctx, ShortArray w, FloatArray x, FloatArray out, IntArray counts,
                                 int countSlot, int rows, int cols) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        int r = ctx.groupIdx;
        int batch = counts.get(countSlot);
        for (int t = 0; t < batch; t++) {
            float sum = 0f;
            for (int c = ctx.localIdx; c < cols; c += WG) {
                sum += TornadoKernels.halfToFloat(w.get(r * cols + c) & 0xffff) * x.get(t * cols + c);
            }
            local[ctx.localIdx] = sum;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] += local[ctx.localIdx + stride];
                }
            }
            ctx.localBarrier();
            if (ctx.localIdx == 0) {
                out.set(t * rows + r, local[0]);
            }
        }
    }

    /** As {@link #matmulF32}, Q8_0 weights: each thread takes whole 34-byte blocks (f16 scale, 32 int8). */
    public static void matmulQ8_0(KernelContext ctx, ByteArray w, FloatArray x, FloatArray out, IntArray counts,
                                  int countSlot, int rows, int cols) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        int r = ctx.groupIdx;
        int blocks = cols / 32;
        int batch = counts.get(countSlot);
        for (int t = 0; t < batch; t++) {
            float sum = 0f;
            for (int b = ctx.localIdx; b < blocks; b += WG) {
                int block = (r * blocks + b) * 34;
                float d = TornadoKernels.halfToFloat((w.get(block) & 0xff) | (w.get(block + 1) & 0xff) << 8);
                float blockSum = 0f;
                for (int j = 0; j < 32; j++) {
                    blockSum += w.get(block + 2 + j) * x.get(t * cols + b * 32 + j);
                }
                sum += d * blockSum;
            }
            local[ctx.localIdx] = sum;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] += local[ctx.localIdx + stride];
                }
            }
            ctx.localBarrier();
            if (ctx.localIdx == 0) {
                out.set(t * rows + r, local[0]);
            }
        }
    }

    /**
     * As {@link #matmulF32}, Q4_0 weights: each thread takes whole 18-byte blocks (f16 scale, 16 bytes of two 4-bit
     * values each, offset by 8: low nibbles are weights 0..15, high nibbles 16..31).
     */
    public static void matmulQ4_0(KernelContext ctx, ByteArray w, FloatArray x, FloatArray out, IntArray counts,
                                  int countSlot, int rows, int cols) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        int r = ctx.groupIdx;
        int blocks = cols / 32;
        int batch = counts.get(countSlot);
        for (int t = 0; t < batch; t++) {
            float sum = 0f;
            for (int b = ctx.localIdx; b < blocks; b += WG) {
                int block = (r * blocks + b) * 18;
                float d = TornadoKernels.halfToFloat((w.get(block) & 0xff) | (w.get(block + 1) & 0xff) << 8);
                int xBase = t * cols + b * 32;
                float blockSum = 0f;
                for (int j = 0; j < 16; j++) {
                    // the signed byte, nibbles cut with a mask each: with `& 0xff` first, TornadoVM's OpenCL code
                    // typed the high nibble unsigned, and `- 8` wrapped around to 4e9
                    int q = w.get(block + 2 + j);
                    blockSum += ((q & 0xf) - 8) * x.get(xBase + j) + (((q >> 4) & 0xf) - 8) * x.get(xBase + 16 + j);
                }
                sum += d * blockSum;
            }
            local[ctx.localIdx] = sum;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] += local[ctx.localIdx + stride];
                }
            }
            ctx.localBarrier();
            if (ctx.localIdx == 0) {
                out.set(t * rows + r, local[0]);
            }
        }
    }

    /** Greedy sampling: {@code ids[g]} is the index of the largest of logit row {@code g}, the lowest on ties. */
    public static void argmax(KernelContext ctx, FloatArray logits, IntArray ids, IntArray counts, int vocabulary) {
        float[] best = ctx.allocateFloatLocalArray(WG);
        int[] index = ctx.allocateIntLocalArray(WG);
        int g = ctx.groupIdx;
        boolean active = g < counts.get(1);   // barriers outside any branch, as in AttentionKernels
        int length = active ? vocabulary : 0;
        float value = LOWEST;
        int at = vocabulary;
        for (int i = ctx.localIdx; i < length; i += WG) {
            float v = logits.get(g * vocabulary + i);
            if (v > value) {   // strides ascend, so the first maximum of this thread is kept
                value = v;
                at = i;
            }
        }
        best[ctx.localIdx] = value;
        index[ctx.localIdx] = at;
        for (int stride = WG / 2; stride > 0; stride /= 2) {
            ctx.localBarrier();
            int me = ctx.localIdx;
            if (me < stride) {
                float other = best[me + stride];
                if (other > best[me] || (other == best[me] && index[me + stride] < index[me])) {
                    best[me] = other;
                    index[me] = index[me + stride];
                }
            }
        }
        ctx.localBarrier();
        if (active && ctx.localIdx == 0) {
            ids.set(g, index[0]);
        }
    }
}

package servelab.kernels.tornado;

import static servelab.kernels.tornado.GroupKernels.LOWEST;
import static servelab.kernels.tornado.GroupKernels.WG;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.model.ResidentForward;

/**
 * Rejection sampling of speculative drafts on the device ({@link #verifyTemperature}), after the forward graph's draw
 * ({@link SamplingKernels#sample}); tested against {@link servelab.kernels.sample.SpeculativeVerifier} in whole steps
 * ({@code DeviceForwardTest}).
 */
public final class VerifyKernels {
    private VerifyKernels() {}

    /** Ints (and floats) per verification in the metadata and the output: two, then one per draft slot. */
    static final int VERIFY_STRIDE = 2 + ResidentForward.MAX_VERIFY_DRAFTS;

    /**
     * Rejection sampling of deterministic drafts at a temperature, one work-group per verification
     * ({@link ResidentForward.Verify}). {@code verifyMeta}: the count, then per verification
     * {@link #VERIFY_STRIDE} ints: its first logit row, k, the k drafts. {@code verifyFloats}: per verification its
     * inverse temperature, then its k + 1 uniforms. {@code verifyOut}: per verification the drafts accepted, then the
     * tokens kept (accepted + 1). Row {@code i}'s probabilities are {@code exp((logit - max) / t)} over their sum, in
     * float; draft {@code i} is kept when {@code u_i * sum < exp((logit(draft) - max) / t)}; the first one rejected
     * draws from the row without it with {@code u_(i+1)} (the runs of ids summed in order, as
     * {@link SamplingKernels#sample}), and with all kept {@code u_k} draws from row k. The loop over rows has a constant
     * trip count and every decision is the same in all threads of a group (computed from the same sums), so no
     * barrier is inside a branch (PoCL 3.1, see {@link AttentionKernels}).
     */
    public static void verifyTemperature(KernelContext ctx, FloatArray logits, IntArray verifyMeta,
                                         FloatArray verifyFloats, IntArray verifyOut, int vocabulary) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        float[] sums = ctx.allocateFloatLocalArray(WG);
        int g = ctx.groupIdx;
        boolean active = g < verifyMeta.get(0);
        int meta = 1 + g * VERIFY_STRIDE;
        int at = g * VERIFY_STRIDE;
        int firstRow = active ? verifyMeta.get(meta) : 0;
        int k = active ? verifyMeta.get(meta + 1) : 0;
        float inverseTemperature = active ? verifyFloats.get(at) : 0f;
        int chunk = (vocabulary + WG - 1) / WG;
        int accepted = 0;
        boolean open = active;
        for (int i = 0; i <= ResidentForward.MAX_VERIFY_DRAFTS; i++) {
            boolean row = open && i <= k;
            int n = row ? vocabulary : 0;
            int base = (firstRow + i) * vocabulary;
            float max = LOWEST;
            for (int v = ctx.localIdx; v < n; v += WG) {
                max = TornadoMath.max(max, logits.get(base + v));
            }
            local[ctx.localIdx] = max;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] = TornadoMath.max(local[ctx.localIdx], local[ctx.localIdx + stride]);
                }
            }
            ctx.localBarrier();
            float m = local[0];
            int from = ctx.localIdx * chunk;
            int to = Math.min(from + chunk, n);
            float part = 0f;
            for (int v = from; v < to; v++) {
                part += TornadoMath.exp((logits.get(base + v) - m) * inverseTemperature);
            }
            sums[ctx.localIdx] = part;
            ctx.localBarrier();
            float total = 0f;
            for (int j = 0; j < WG; j++) {
                total += sums[j];
            }
            boolean draftRow = row && i < k;
            int x = draftRow ? verifyMeta.get(meta + 2 + i) : -1;
            float ex = draftRow ? TornadoMath.exp((logits.get(base + x) - m) * inverseTemperature) : 0f;
            boolean keep = draftRow && verifyFloats.get(at + 1 + i) * total < ex;
            boolean draw = row && !keep;   // a rejected draft's residual, or the token after all the drafts
            if (keep && ctx.localIdx == 0) {
                verifyOut.set(at + 1 + i, x);
            }
            if (draw && ctx.localIdx == 0) {
                float u = verifyFloats.get(at + 1 + (draftRow ? i + 1 : k));
                float target = u * (total - ex);
                float cumulative = 0f;
                int run = WG - 1;
                boolean found = false;
                for (int j = 0; j < WG; j++) {
                    float runSum = sums[j];
                    if (draftRow && x >= j * chunk && x < j * chunk + chunk) {
                        runSum -= ex;
                    }
                    if (!found && cumulative + runSum > target) {
                        run = j;
                        found = true;
                    }
                    if (!found) {
                        cumulative += runSum;
                    }
                }
                int end = Math.min(run * chunk + chunk, vocabulary);
                int pick = draftRow && end - 1 == x ? end - 2 : end - 1;   // the rounding gap: the run's last id
                boolean picked = false;
                for (int v = run * chunk; v < end; v++) {
                    if (v != x) {
                        cumulative += TornadoMath.exp((logits.get(base + v) - m) * inverseTemperature);
                        if (!picked && target < cumulative) {
                            pick = v;
                            picked = true;
                        }
                    }
                }
                if (!(total - ex > 0f)) {
                    pick = x;   // the draft held all the mass (its probability rounds to 1): nothing else to draw
                }
                verifyOut.set(at + 1 + i, pick);
            }
            if (keep) {
                accepted = i + 1;
            }
            if (draw) {
                open = false;
            }
            ctx.localBarrier();   // the next row overwrites local and sums
        }
        if (active && ctx.localIdx == 0) {
            verifyOut.set(at, accepted);
        }
    }
}

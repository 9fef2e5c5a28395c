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
     * inverse temperature, then its k + 1 uniforms, one per row (its position's). {@code verifyOut}: per verification
     * the drafts accepted, then the tokens kept (accepted + 1). Row {@code i}'s probabilities are
     * {@code exp((logit - max) / t)} over their sum, in float; row {@code i}'s token is the inverse-CDF draw with
     * {@code u_i} (the runs of ids summed in order, as {@link SamplingKernels#sample}), and draft {@code i} is kept
     * when the draw equals it; the first row whose draw differs keeps its draw and ends the verification, and with all
     * drafts kept row k's draw is the token after them ({@code SpeculativeVerifier.rejectionByDraw}). The loop over
     * rows has a constant trip count and every decision is the same in all threads of a group (the first thread's
     * draw goes through local memory behind a barrier), so no barrier is inside a branch (PoCL 3.1, see
     * {@link AttentionKernels}).
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
            if (row && ctx.localIdx == 0) {   // the row's draw with its own uniform, as plain sampling draws it
                float target = verifyFloats.get(at + 1 + i) * total;
                float cumulative = 0f;
                int run = WG - 1;
                boolean found = false;
                for (int j = 0; j < WG; j++) {
                    if (!found && cumulative + sums[j] > target) {
                        run = j;
                        found = true;
                    }
                    if (!found) {
                        cumulative += sums[j];
                    }
                }
                int end = Math.min(run * chunk + chunk, vocabulary);
                int pick = end - 1;   // the rounding gap: the run's last id
                boolean picked = false;
                for (int v = run * chunk; v < end; v++) {
                    cumulative += TornadoMath.exp((logits.get(base + v) - m) * inverseTemperature);
                    if (!picked && target < cumulative) {
                        pick = v;
                        picked = true;
                    }
                }
                verifyOut.set(at + 1 + i, pick);
                local[0] = pick;   // every thread of the group takes the same decision from it
            }
            ctx.localBarrier();
            int drawn = (int) local[0];
            boolean keep = draftRow && drawn == x;
            if (keep) {
                accepted = i + 1;
            }
            if (row && !keep) {
                open = false;   // a rejected draft's position keeps the draw; after the last draft, the draw is the bonus
            }
            ctx.localBarrier();   // the next row overwrites local and sums
        }
        if (active && ctx.localIdx == 0) {
            verifyOut.set(at, accepted);
        }
    }
}

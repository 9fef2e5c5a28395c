package servelab.kernels.tornado;

import static servelab.kernels.tornado.GroupKernels.LOWEST;
import static servelab.kernels.tornado.GroupKernels.WG;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.model.ResidentForward;

/**
 * Sampling on the device beyond greedy ({@link GroupKernels#argmax}): one work-group of {@link GroupKernels#WG}
 * threads per logit row, the uniform draw coming from the host so that it is the CPU sampler's. The forward graph
 * ends in it, after {@link GroupKernels#argmax}; tested on its own against
 * {@link servelab.kernels.sample.SeededSampler} and in whole steps ({@code DeviceForwardTest}).
 */
public final class SamplingKernels {
    private SamplingKernels() {}

    /** Floats per logit row in {@code rowParams}: 1 / temperature (0: keep the greedy token), top-k, top-p, min-p. */
    static final int ROW_PARAMS = 4;

    /**
     * Sampling of the logit rows with a temperature ({@code rowParams[4g] = 1 / t > 0}; the others keep the greedy
     * token {@code ids[g]}), with {@code SamplingParams}' filters and the host's uniform draw {@code uniforms[g]}, the
     * CPU sampler's per-(seed, request, position) {@code nextDouble()}: the first id, in id order, whose cumulative
     * probability among the tokens kept exceeds it, as {@link servelab.kernels.sample.SeededSampler#draw}.
     * <ul>
     *   <li>top-k ({@code rowParams[4g + 1]}, 1..{@link ResidentForward#MAX_DRAW_TOP_K}):
     *       the k most likely tokens, found one round at a time (the largest logit below the last one found, the
     *       lowest id among equal ones: the CPU's order of probability, then id);</li>
     *   <li>top-p ({@code rowParams[4g + 2]} below 1, with a top-k): of those, the first ones in that order until
     *       their sum reaches top-p of the kept mass (at least one);</li>
     *   <li>min-p ({@code rowParams[4g + 3]}): of those (or of the whole vocabulary without a top-k), the tokens with
     *       at least min-p of the most likely one's probability.</li>
     * </ul>
     * Each thread owns a contiguous run of ids, so the runs' sums come in id order; thread 0 then finds the run and
     * the id in it (without a top-k), or orders the few kept ids. Probabilities are {@code exp((logit - max) / t)} in
     * float, so a draw or a filter within float rounding of a boundary can land otherwise than on the CPU. No barrier
     * is inside a branch, and every decision that ends a loop is the same in all threads of the group.
     */
    public static void sample(KernelContext ctx, FloatArray logits, FloatArray uniforms, FloatArray rowParams,
                              IntArray ids, IntArray counts, int vocabulary) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        float[] sums = ctx.allocateFloatLocalArray(WG);
        int[] index = ctx.allocateIntLocalArray(WG);
        int[] chosen = ctx.allocateIntLocalArray(ResidentForward.MAX_DRAW_TOP_K);
        float[] chosenE = ctx.allocateFloatLocalArray(ResidentForward.MAX_DRAW_TOP_K);
        int g = ctx.groupIdx;
        int at = g * ROW_PARAMS;
        boolean active = g < counts.get(1) && rowParams.get(at) > 0f;
        float inverseTemperature = active ? rowParams.get(at) : 0f;
        int topK = active ? (int) rowParams.get(at + 1) : 0;
        float topP = active ? rowParams.get(at + 2) : 1f;
        float minP = active ? rowParams.get(at + 3) : 0f;
        int n = active ? vocabulary : 0;
        int base = g * vocabulary;
        float max = LOWEST;
        for (int i = ctx.localIdx; i < n; i += WG) {
            max = TornadoMath.max(max, logits.get(base + i));
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
        ctx.localBarrier();   // local is reused below
        // top-k: round r finds the largest logit after the last one found (ties: the lowest id after it)
        float lastValue = 0f;
        int lastId = -1;
        for (int r = 0; r < topK; r++) {   // the same bound in every thread of the group
            float best = LOWEST;
            int bestId = vocabulary;
            for (int i = ctx.localIdx; i < n; i += WG) {
                float v = logits.get(base + i);
                // one comparison per statement: TornadoVM 5.2's OpenCL code for the same test written as one
                // boolean expression, `r == 0 || v < last || (v == last && i > lastId)`, negated its second half
                int after = r == 0 ? 1 : 0;
                if (v < lastValue) {
                    after = 1;
                }
                if (v == lastValue && i > lastId) {
                    after = 1;
                }
                if (after == 1 && (v > best || (v == best && i < bestId))) {
                    best = v;
                    bestId = i;
                }
            }
            local[ctx.localIdx] = best;
            index[ctx.localIdx] = bestId;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                int me = ctx.localIdx;
                if (me < stride) {
                    float other = local[me + stride];
                    if (other > local[me] || (other == local[me] && index[me + stride] < index[me])) {
                        local[me] = other;
                        index[me] = index[me + stride];
                    }
                }
            }
            ctx.localBarrier();
            lastValue = local[0];
            lastId = index[0];
            if (ctx.localIdx == 0) {
                chosen[r] = lastId;
                chosenE[r] = TornadoMath.exp((lastValue - m) * inverseTemperature);
            }
            ctx.localBarrier();
        }
        // without a top-k, every thread sums the probabilities of its run of ids that pass min-p
        int chunk = (vocabulary + WG - 1) / WG;
        int from = ctx.localIdx * chunk;
        int to = topK > 0 ? from : Math.min(from + chunk, n);
        float part = 0f;
        for (int i = from; i < to; i++) {
            float e = TornadoMath.exp((logits.get(base + i) - m) * inverseTemperature);
            if (e >= minP) {   // the most likely token's e is 1, so min-p of its probability is minP
                part += e;
            }
        }
        sums[ctx.localIdx] = part;
        ctx.localBarrier();
        if (active && ctx.localIdx == 0) {
            float u = uniforms.get(g);
            // each branch stores its own pick: with one `pick` stored after the if/else, TornadoVM 5.2's OpenCL code
            // stored the else branch's value for both
            if (topK > 0) {
                int keep = topK;
                if (topP < 1f) {
                    float kept = 0f;
                    for (int j = 0; j < topK; j++) {
                        kept += chosenE[j];
                    }
                    float cumulative = 0f;
                    int nucleus = 0;
                    for (int j = 0; j < topK; j++) {
                        if (cumulative < topP * kept) {
                            cumulative += chosenE[j];
                            nucleus = j + 1;
                        }
                    }
                    keep = Math.max(1, nucleus);
                }
                // the kept ids in id order (few: an insertion sort), those below min-p left out
                int survivors = 0;
                float total = 0f;
                for (int j = 0; j < keep; j++) {
                    if (chosenE[j] >= minP) {
                        int id = chosen[j];
                        float e = chosenE[j];
                        int k = survivors;
                        while (k > 0 && chosen[k - 1] > id) {
                            chosen[k] = chosen[k - 1];
                            chosenE[k] = chosenE[k - 1];
                            k--;
                        }
                        chosen[k] = id;
                        chosenE[k] = e;
                        survivors++;
                        total += e;
                    }
                }
                float target = u * total;
                float cumulative = 0f;
                int pick = chosen[survivors - 1];   // the rounding gap: the last one kept
                boolean picked = false;
                for (int j = 0; j < survivors; j++) {
                    cumulative += chosenE[j];
                    if (!picked && target < cumulative) {
                        pick = chosen[j];
                        picked = true;
                    }
                }
                ids.set(g, pick);
            } else {
                float total = 0f;
                for (int j = 0; j < WG; j++) {
                    total += sums[j];
                }
                float target = u * total;
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
                for (int i = run * chunk; i < end; i++) {
                    float e = TornadoMath.exp((logits.get(base + i) - m) * inverseTemperature);
                    if (e >= minP) {
                        cumulative += e;
                        if (!picked && target < cumulative) {
                            pick = i;
                            picked = true;
                        }
                    }
                }
                ids.set(g, pick);
            }
        }
    }

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
     * {@link #sample}), and with all kept {@code u_k} draws from row k. The loop over rows has a constant
     * trip count and every decision is the same in all threads of a group (computed from the same sums), so no
     * barrier is inside a branch (PoCL 3.1, see {@link GroupKernels#attention}).
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

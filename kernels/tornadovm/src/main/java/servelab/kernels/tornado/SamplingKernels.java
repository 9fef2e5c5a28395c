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

    /** Bisection rounds for top-p without a top-k: about 30 reach neighbouring floats; the rest skip their sums. */
    static final int NUCLEUS_ROUNDS = 64;

    /**
     * Sampling of the logit rows with a temperature ({@code rowParams[4g] = 1 / t > 0}; the others keep the greedy
     * token {@code ids[g]}), with {@code SamplingParams}' filters and the host's uniform draw {@code uniforms[g]}, the
     * CPU sampler's per-(seed, request, position) {@code nextDouble()}: the first id, in id order, whose cumulative
     * probability among the tokens kept exceeds it, as {@link servelab.kernels.sample.SeededSampler#draw}.
     * <ul>
     *   <li>top-k ({@code rowParams[4g + 1]}, 1..{@link ResidentForward#MAX_DRAW_TOP_K}):
     *       the k most likely tokens, found one round at a time (the largest logit below the last one found, the
     *       lowest id among equal ones: the CPU's order of probability, then id);</li>
     *   <li>top-p ({@code rowParams[4g + 2]} below 1): of those, the first ones in that order until their sum reaches
     *       top-p of the kept mass (at least one). Without a top-k the kept mass is the whole row's, and the nucleus
     *       is found by bisection on the
     *       logit ({@link #NUCLEUS_ROUNDS} sums over the row): every token above the boundary logit, and of the tokens
     *       at it the lowest ids the CPU would add;</li>
     *   <li>min-p ({@code rowParams[4g + 3]}): of those (or of the whole vocabulary without a top-k and top-p), the
     *       tokens with at least min-p of the most likely one's probability.</li>
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
        // top-p without a top-k: the nucleus is every id with its logit above lStar and the lowest ids at lStar up to
        // tieBound (the CPU's order: probability, then id), reaching top-p of the row's mass. One pass: that mass and
        // the smallest logit
        boolean topPAlone = topK == 0 && topP < 1f;
        int passes = topPAlone ? 1 : 0;
        float rowMass = 0f;
        float smallest = m;
        for (int s = 0; s < passes; s++) {
            float mass = 0f;
            float low = m;
            for (int i = ctx.localIdx; i < n; i += WG) {
                float l = logits.get(base + i);
                mass += TornadoMath.exp((l - m) * inverseTemperature);
                low = TornadoMath.min(low, l);
            }
            local[ctx.localIdx] = mass;
            sums[ctx.localIdx] = low;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] = local[ctx.localIdx] + local[ctx.localIdx + stride];
                    sums[ctx.localIdx] = TornadoMath.min(sums[ctx.localIdx], sums[ctx.localIdx + stride]);
                }
            }
            ctx.localBarrier();
            float reducedMass = local[0];
            float reducedLow = sums[0];
            ctx.localBarrier();   // local and sums are reused below
            rowMass = reducedMass;
            smallest = reducedLow;
        }
        // bisection on the logit: mass(logit >= lo) reaches the nucleus's, mass(logit >= hi) does not (round 0 tries
        // the top logit alone); float sums, so within their rounding of the edge the nucleus can differ from the CPU's
        float nucleusMass = topP * rowMass;
        float lo = smallest;
        float hi = m;
        int rounds = topPAlone ? 1 + NUCLEUS_ROUNDS : 0;
        for (int r = 0; r < rounds; r++) {
            float probe = m;
            if (r > 0) {
                probe = lo + (hi - lo) * 0.5f;
            }
            int open = 1;   // the probe lies strictly inside (lo, hi): otherwise the search is over
            if (r > 0 && probe <= lo) {
                open = 0;
            }
            if (r > 0 && probe >= hi) {
                open = 0;
            }
            int limit = open == 1 ? n : 0;
            float acc = 0f;
            for (int i = ctx.localIdx; i < limit; i += WG) {
                float l = logits.get(base + i);
                if (l >= probe) {
                    acc += TornadoMath.exp((l - m) * inverseTemperature);
                }
            }
            local[ctx.localIdx] = acc;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    local[ctx.localIdx] = local[ctx.localIdx] + local[ctx.localIdx + stride];
                }
            }
            ctx.localBarrier();
            float mass = local[0];
            ctx.localBarrier();
            if (open == 1 && mass >= nucleusMass) {
                lo = probe;
            }
            if (open == 1 && mass < nucleusMass) {
                hi = probe;
            }
            if (r == 0 && mass >= nucleusMass) {   // the most likely token alone reaches it
                hi = m;
            }
        }
        // lStar: the largest logit in [lo, hi) (or the top one when it alone reaches the nucleus's mass); then the mass
        // above it and the ties at it
        float lStar = m;
        float above = 0f;
        int ties = 0;
        int finals = topPAlone ? 2 : 0;
        for (int s = 0; s < finals; s++) {
            float acc = s == 0 ? LOWEST : 0f;
            int count = 0;
            for (int i = ctx.localIdx; i < n; i += WG) {
                float l = logits.get(base + i);
                if (s == 0 && l >= lo && l < hi) {
                    acc = TornadoMath.max(acc, l);
                }
                if (s == 1 && l > lStar) {
                    acc += TornadoMath.exp((l - m) * inverseTemperature);
                }
                if (s == 1 && l == lStar) {
                    count++;
                }
            }
            local[ctx.localIdx] = acc;
            index[ctx.localIdx] = count;
            for (int stride = WG / 2; stride > 0; stride /= 2) {
                ctx.localBarrier();
                if (ctx.localIdx < stride) {
                    float other = local[ctx.localIdx + stride];
                    if (s == 0) {
                        local[ctx.localIdx] = TornadoMath.max(local[ctx.localIdx], other);
                    } else {
                        local[ctx.localIdx] = local[ctx.localIdx] + other;
                    }
                    index[ctx.localIdx] = index[ctx.localIdx] + index[ctx.localIdx + stride];
                }
            }
            ctx.localBarrier();
            float reduced = local[0];
            int counted = index[0];
            ctx.localBarrier();
            if (s == 0 && lo < hi) {
                lStar = reduced;
            }
            if (s == 1) {
                above = reduced;
                ties = counted;
            }
        }
        // the ties the CPU adds, one at a time while the sum is below the nucleus's mass: the lowest ids up to tieBound
        int tieBound = vocabulary;
        if (topPAlone && ctx.localIdx == 0) {
            float tieE = TornadoMath.exp((lStar - m) * inverseTemperature);
            int needed = 1;
            if (nucleusMass - above > tieE) {
                needed = (int) TornadoMath.ceil((nucleusMass - above) / tieE);
            }
            if (needed < ties) {
                int seen = 0;
                for (int i = 0; i < n; i++) {
                    if (logits.get(base + i) == lStar && seen < needed) {
                        seen++;
                        tieBound = i;
                    }
                }
            }
            index[0] = tieBound;
        }
        ctx.localBarrier();
        tieBound = index[0];   // thread 0's; read only for a nucleus
        ctx.localBarrier();
        // without a top-k, every thread sums the probabilities of its run of ids that pass top-p and min-p
        int chunk = (vocabulary + WG - 1) / WG;
        int from = ctx.localIdx * chunk;
        int to = topK > 0 ? from : Math.min(from + chunk, n);
        float part = 0f;
        for (int i = from; i < to; i++) {
            float l = logits.get(base + i);
            float e = TornadoMath.exp((l - m) * inverseTemperature);
            int kept = 1;
            if (topPAlone && l < lStar) {
                kept = 0;
            }
            if (topPAlone && l == lStar && i > tieBound) {
                kept = 0;
            }
            if (kept == 1 && e >= minP) {   // the most likely token's e is 1, so min-p of its probability is minP
                part += e;
            }
        }
        sums[ctx.localIdx] = part;
        ctx.localBarrier();
        if (active && ctx.localIdx == 0) {
            float u = uniforms.get(g);
            // each branch stores its own pick: with one `pick` stored after the if/else, TornadoVM 5.2's OpenCL code
            // stored the else branch's value for both
            if (m > 3.4028235e38f) {   // an infinite logit takes all the probability, as on the CPU: the first one
                int first = 0;
                boolean seen = false;
                for (int i = 0; i < n; i++) {
                    if (!seen && logits.get(base + i) > 3.4028235e38f) {
                        first = i;
                        seen = true;
                    }
                }
                ids.set(g, first);
            } else if (topK > 0) {
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
                    float l = logits.get(base + i);
                    float e = TornadoMath.exp((l - m) * inverseTemperature);
                    int kept = 1;
                    if (topPAlone && l < lStar) {
                        kept = 0;
                    }
                    if (topPAlone && l == lStar && i > tieBound) {
                        kept = 0;
                    }
                    if (kept == 1 && e >= minP) {
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
}

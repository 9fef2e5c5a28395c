package servelab.kernels.tornado;

import static servelab.kernels.tornado.GroupKernels.LOWEST;
import static servelab.kernels.tornado.GroupKernels.WG;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Sampling on the device beyond greedy ({@link GroupKernels#argmax}): one work-group of {@link GroupKernels#WG}
 * threads per logit row, the uniform draw coming from the host so that it is the CPU sampler's. The forward graph
 * ends in it, after {@link GroupKernels#argmax}; tested on its own against
 * {@link servelab.kernels.sample.SeededSampler} and in whole steps ({@code DeviceForwardTest}).
 */
public final class SamplingKernels {
    private SamplingKernels() {}

    /**
     * Temperature sampling ({@code SamplingParams.temperature(t)}: no top-k/p filters) of the logit rows whose
     * {@code inverseTemperatures[g]} is above 0 (the others keep the greedy token {@code ids[g]}), with the host's
     * uniform draw {@code uniforms[g]}, the CPU sampler's per-(seed, request, position) {@code nextDouble()}: the first id whose
     * cumulative probability exceeds it, as {@link servelab.kernels.sample.SeededSampler#draw}. Each thread owns a
     * contiguous run of ids, so the runs' sums come in id order; thread 0 then finds the run and the id in it.
     * Probabilities are {@code exp((logit - max) / t)} in float, so a draw within float rounding of a boundary can
     * land on the neighbouring id.
     */
    public static void sampleTemperature(KernelContext ctx, FloatArray logits, FloatArray uniforms,
                                         FloatArray inverseTemperatures, IntArray ids, IntArray counts, int vocabulary) {
        float[] local = ctx.allocateFloatLocalArray(WG);
        float[] sums = ctx.allocateFloatLocalArray(WG);
        int g = ctx.groupIdx;
        // barriers outside any branch (PoCL 3.1, see GroupKernels#attention): a row that is not drawn runs the loops
        // over nothing and writes nothing
        boolean active = g < counts.get(1) && inverseTemperatures.get(g) > 0f;
        int vocabularyHere = active ? vocabulary : 0;
        float inverseTemperature = active ? inverseTemperatures.get(g) : 0f;
        int base = g * vocabulary;
        float max = LOWEST;
        for (int i = ctx.localIdx; i < vocabularyHere; i += WG) {
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
        int chunk = (vocabulary + WG - 1) / WG;
        int from = ctx.localIdx * chunk;
        int to = Math.min(from + chunk, vocabularyHere);
        float part = 0f;
        for (int i = from; i < to; i++) {
            part += TornadoMath.exp((logits.get(base + i) - m) * inverseTemperature);
        }
        sums[ctx.localIdx] = part;
        ctx.localBarrier();
        if (active && ctx.localIdx == 0) {
            float total = 0f;
            for (int j = 0; j < WG; j++) {
                total += sums[j];
            }
            float target = uniforms.get(g) * total;
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
            int pick = Math.min(run * chunk + chunk, vocabulary) - 1;   // the rounding gap: the run's last id
            boolean picked = false;
            for (int i = run * chunk; i < Math.min(run * chunk + chunk, vocabulary); i++) {
                cumulative += TornadoMath.exp((logits.get(base + i) - m) * inverseTemperature);
                if (!picked && target < cumulative) {
                    pick = i;
                    picked = true;
                }
            }
            ids.set(g, pick);
        }
    }
}

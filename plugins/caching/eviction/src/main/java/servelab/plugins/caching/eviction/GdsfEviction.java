package servelab.plugins.caching.eviction;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.Eviction;

/**
 * Greedy-Dual-Size-Frequency (Cherkasova, "Improving WWW Proxies Performance with Greedy-Dual-Size-Frequency
 * Caching Policy", HP Labs HPL-98-69R1, 1998): a block's priority is {@code H = L + F × C / S}, with F its uses
 * since it was filled (the fill counts as one), C what recomputing it would cost, S its size, and L a clock; the
 * released block with the smallest H is evicted and L rises to its H, so blocks unused since the clock passed them
 * age out without any scan. Ties go to the least recently used.
 *
 * <p><b>Cost model.</b> Every block holds the same number of tokens, so S = 1. Recomputing block {@code d} (0 = a
 * prompt's first) runs its b tokens through the linear layers, about 2·N FLOPs per token for N weights, and
 * through attention over the d·b tokens before it plus half its own, about 4·d_model FLOPs per layer per query and
 * key token. Relative to the linear part: {@code C(d) = 1 + w·(d + 1/2)}, with
 * {@code w = 2·b·d_model·layers / N}. For Llama-3-8B (d_model 4096, 32 layers, 7.5 G weights in matrices that
 * run per token) and 16-token blocks, w ≈ 5.6e-4 (the default): depth matters from a few thousand tokens on, and a
 * block at depth 1,800 (28.8 k tokens) costs twice a first block. With the Mooncake trace's 512-token blocks
 * w ≈ 0.018. With {@code depth_weight = 0} this is GD-Frequency: LFU with aging.
 *
 * <p><b>Where ours differs.</b> H is computed at each use (fill or hit) with that moment's L; a release is not an
 * access. The clock never goes back: {@code L = max(L, H_evicted)}. In the paper every cached object can be
 * evicted, so the evicted H is the smallest of all and L rises on its own; here a block referenced by a running
 * sequence is not a candidate, and one held while L passed its H would, once released and evicted, pull L back
 * and make every later fill look older than the blocks already cached.
 *
 * <p>Cost: O(log c) per release, acquire and eviction for c candidates; O(1) per use.
 */
@Component(service = PluginFactory.class)
public final class GdsfEviction implements PluginFactory<Eviction> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.EVICTION, "gdsf", "1.0.0",
            "Greedy-Dual-Size-Frequency: clock + uses x recompute cost (deeper blocks cost more) (Cherkasova 1998).",
            List.of(ParamSpec.ofDouble("depth_weight", 5.6e-4, 0.0, 1000.0,
                    "recompute cost added per block of prefix a block attends to, relative to its linear layers "
                            + "(2 x block tokens x d_model x layers / weights)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Eviction create(Params params) {
        return new Policy(params.getDouble("depth_weight"));
    }

    static final class Policy extends HeapEviction {
        private final double depthWeight;
        private final BlockLongs uses = new BlockLongs();
        private double clock;

        Policy(double depthWeight) {
            this.depthWeight = depthWeight;
        }

        @Override
        long keyAfterUse(int block, int depth, boolean fill, long now) {
            long f = fill ? 1 : uses.get(block) + 1;
            uses.set(block, f);
            double h = clock + f * (1 + depthWeight * (depth + 0.5));
            return Double.doubleToLongBits(h); // H >= 0, and the bits of non-negative doubles sort as the values do
        }

        @Override
        void forget(int block, long evictedKey) {
            clock = Math.max(clock, Double.longBitsToDouble(evictedKey));
            uses.set(block, 0);
        }
    }
}

package servelab.plugins.routing.kvcost;

import java.util.List;
import java.util.SplittableRandom;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;
import servelab.api.route.Router;
import servelab.plugins.routing.common.Pick;
import servelab.plugins.routing.common.PrefixOverlap;

/**
 * NVIDIA Dynamo's KV router: each available replica costs {@code overlap_weight * prefill_blocks + decode_blocks},
 * where prefill blocks are the prompt tokens it already has queued plus the request's tokens it does not cache,
 * and decode blocks are its running requests' context plus the request's prompt, both in blocks of
 * {@code block_tokens} (Dynamo docs, "Routing Concepts": cost = overlap_score_weight * prefill_blocks +
 * decode_blocks, default weight 1). Temperature 0 takes the cheapest (ties drawn at random); above 0 it samples
 * from a softmax over the costs normalised to [0, 1], {@code p ~ exp(-normalised / temperature)}, which spreads
 * load when costs are close (Dynamo's {@code router_temperature}). Seeded. Dynamo reads cached blocks from worker
 * KV events ({@code prefix_source: precise}, the default) or predicts them from its own decisions (estimated).
 *
 * <p>Cost per decision: O(n) view reads and one prefix query per available replica, an O(n) softmax draw when the
 * temperature is above 0; O(prompt blocks) to record the choice in estimated mode. The cost array is reused: no
 * allocation per decision in precise mode.
 */
@Component(service = PluginFactory.class)
public final class KvCostRouter implements PluginFactory<Router> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "kv-cost", "1.0.0",
            "Dynamo KV router: least overlap_weight x prefill blocks + decode blocks, softmax with temperature.",
            List.of(ParamSpec.ofDouble("overlap_weight", 1, 0, 1000, "weight of the prefill blocks in the cost"),
                    ParamSpec.ofDouble("temperature", 0, 0, 1000,
                            "0: the cheapest replica; above 0: softmax sampling over normalised costs"),
                    ParamSpec.ofInt("block_tokens", 16, 1, 1 << 20, "tokens per KV block in the cost"),
                    PrefixOverlap.sourceParam("precise"),
                    PrefixOverlap.estimateParam(),
                    ParamSpec.ofLong("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE, "seed of ties and sampling")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        return new CostRouter(params.getDouble("overlap_weight"), params.getDouble("temperature"),
                params.getInt("block_tokens"), PrefixOverlap.from(params), new SplittableRandom(params.getLong("seed")));
    }

    static final class CostRouter implements Router {
        private final double overlapWeight;
        private final double temperature;
        private final double blockTokens;
        private final PrefixOverlap prefixes;
        private final SplittableRandom random;
        private double[] costs = new double[64];

        CostRouter(double overlapWeight, double temperature, int blockTokens, PrefixOverlap prefixes,
                   SplittableRandom random) {
            this.overlapWeight = overlapWeight;
            this.temperature = temperature;
            this.blockTokens = blockTokens;
            this.prefixes = prefixes;
            this.random = random;
        }

        @Override
        public int route(RequestView request, List<ReplicaView> replicas) {
            int n = replicas.size();
            if (costs.length < n) costs = new double[Math.max(n, costs.length * 2)];
            boolean filter = Pick.available(replicas) > 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                var r = replicas.get(i);
                costs[i] = filter && !r.isAvailable() ? Double.NaN : cost(request, r);
                if (!Double.isNaN(costs[i])) {
                    min = Math.min(min, costs[i]);
                    max = Math.max(max, costs[i]);
                }
            }
            int chosen = temperature == 0 || max == min ? cheapest(n, min) : sample(n, min, max);
            prefixes.routed(replicas.get(chosen), request.promptBlocks());
            return replicas.get(chosen).index();
        }

        double cost(RequestView request, ReplicaView r) {
            var blocks = request.promptBlocks();
            long cachedTokens = (long) prefixes.overlap(r, blocks) * blocks.blockTokens();
            long uncached = Math.max(0, request.promptTokens() - cachedTokens);
            double prefillBlocks = (r.waitingTokens() + uncached) / blockTokens;
            double decodeBlocks = (r.runningTokens() + request.promptTokens()) / blockTokens;
            return overlapWeight * prefillBlocks + decodeBlocks;
        }

        /** The cheapest; ties drawn uniformly (reservoir). */
        private int cheapest(int n, double min) {
            int chosen = -1;
            int ties = 0;
            for (int i = 0; i < n; i++) {
                if (costs[i] == min && random.nextInt(++ties) == 0) chosen = i;
            }
            return chosen;
        }

        /** Softmax over {@code -(cost - min) / (max - min) / temperature}. */
        private int sample(int n, double min, double max) {
            double total = 0;
            for (int i = 0; i < n; i++) {
                costs[i] = Double.isNaN(costs[i]) ? 0 : Math.exp(-(costs[i] - min) / (max - min) / temperature);
                total += costs[i];
            }
            double u = random.nextDouble() * total;
            int last = -1;
            for (int i = 0; i < n; i++) {
                if (costs[i] == 0) continue;
                last = i;
                u -= costs[i];
                if (u < 0) return i;
            }
            return last; // rounding left u at 0 or just above: the last weighted replica
        }
    }
}

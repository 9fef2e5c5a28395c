package servelab.plugins.routing.weightedscorer;

import java.util.List;
import java.util.SplittableRandom;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.BlockHashes;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;
import servelab.api.route.Router;
import servelab.plugins.routing.common.PrefixOverlap;

/**
 * llm-d's inference scheduler (the Gateway API Inference Extension's endpoint picker): filter, score, pick. The
 * filter keeps the available replicas. Three scorers give each a score in [0, 1]: prefix (cached leading blocks /
 * prompt blocks, llm-d's prefix-cache scorer), queue ({@code (max - waiting) / (max - min)} over the candidates'
 * waiting queues, 1 when all are equal, llm-d's queue scorer) and KV ({@code 1 - kvUsage}, its
 * kv-cache-utilization scorer). The picker takes the highest weighted sum, ties drawn at random (seeded), as llm-d's
 * max-score picker does. Default weights prefix 3, queue 2, KV 0: the default profile as Red Hat's OpenShift AI
 * documentation describes it (queue 2, prefix 3). A scorer with weight 0 is not computed.
 *
 * <p>Cost per decision: two O(n) passes of view reads, and, when the prefix weight is above 0, one prefix query
 * per candidate that could still reach the best score with every block cached (precise: the cluster's index;
 * estimated: O(matched blocks) lookups), O(prompt blocks) to record the choice in estimated mode. No allocation in
 * precise mode.
 */
@Component(service = PluginFactory.class)
public final class WeightedScorerRouter implements PluginFactory<Router> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "weighted-scorer",
            "1.0.0", "llm-d filter -> score -> pick: weighted prefix, queue and KV-utilisation scores.",
            List.of(ParamSpec.ofDouble("prefix_weight", 3, 0, 1000, "weight of the prefix-cache score"),
                    ParamSpec.ofDouble("queue_weight", 2, 0, 1000, "weight of the waiting-queue score"),
                    ParamSpec.ofDouble("kv_weight", 0, 0, 1000, "weight of the free-KV score (1 - KV usage)"),
                    PrefixOverlap.sourceParam("precise"),
                    PrefixOverlap.estimateParam(),
                    ParamSpec.ofLong("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the tie draws")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        if (params.getDouble("prefix_weight") == 0 && params.getDouble("queue_weight") == 0
                && params.getDouble("kv_weight") == 0) { // every score weighs nothing: a random router by another name
            throw new IllegalArgumentException("parameter 'prefix_weight' is 0 and so are queue_weight and kv_weight, "
                    + "which scores every replica alike (ties drawn at random); for that, use the router 'random'");
        }
        return new Scorer(new Weights(params.getDouble("prefix_weight"), params.getDouble("queue_weight"),
                params.getDouble("kv_weight")), PrefixOverlap.from(params), new SplittableRandom(params.getLong("seed")));
    }

    record Weights(double prefix, double queue, double kv) {}

    static final class Scorer implements Router {
        private final Weights weights;
        private final PrefixOverlap prefixes;
        private final SplittableRandom random;

        Scorer(Weights weights, PrefixOverlap prefixes, SplittableRandom random) {
            this.weights = weights;
            this.prefixes = prefixes;
            this.random = random;
        }

        @Override
        public int route(RequestView request, List<ReplicaView> replicas) {
            int n = replicas.size();
            // one pass for the filter and the queue scorer's range: over the available replicas, or over all when
            // none is available
            int available = 0;
            int minAvailable = Integer.MAX_VALUE, maxAvailable = Integer.MIN_VALUE;
            int minAll = Integer.MAX_VALUE, maxAll = Integer.MIN_VALUE;
            for (int i = 0; i < n; i++) {
                var r = replicas.get(i);
                int waiting = r.waitingRequests();
                minAll = Math.min(minAll, waiting);
                maxAll = Math.max(maxAll, waiting);
                if (!r.isAvailable()) continue;
                available++;
                minAvailable = Math.min(minAvailable, waiting);
                maxAvailable = Math.max(maxAvailable, waiting);
            }
            boolean filter = available > 0;
            int minWaiting = filter ? minAvailable : minAll;
            int maxWaiting = filter ? maxAvailable : maxAll;
            var blocks = request.promptBlocks();
            boolean prefixScored = weights.prefix() > 0 && blocks.count() > 0;
            int chosen = -1;
            int ties = 0;
            double best = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                var r = replicas.get(i);
                if (filter && !r.isAvailable()) continue;
                double queue = queueScore(r.waitingRequests(), minWaiting, maxWaiting);
                double kv = weights.kv() > 0 ? weights.kv() * (1 - r.kvUsage()) : 0;
                // the prefix score is at most its weight: a replica that could not reach the best even with every
                // block cached is not asked for its prefix (the costly read), which changes no decision
                if (prefixScored && below(weights.prefix() + queue + kv, best)) continue;
                double score = score(r, blocks, prefixScored, queue, kv);
                if (score > best) {
                    best = score;
                    chosen = i;
                    ties = 1;
                } else if (score == best && random.nextInt(++ties) == 0) {
                    chosen = i; // reservoir draw: each of the tied replicas is chosen with probability 1/ties
                }
            }
            prefixes.routed(replicas.get(chosen), blocks);
            return replicas.get(chosen).index();
        }

        /** Whether {@code upper}, a bound summed in another order than the score, is surely below {@code best}. */
        private static boolean below(double upper, double best) {
            return upper + 1e-9 * (Math.abs(upper) + 1) < best;
        }

        private double queueScore(int waiting, int minWaiting, int maxWaiting) {
            if (weights.queue() <= 0) return 0;
            double queue = maxWaiting == minWaiting ? 1 : (double) (maxWaiting - waiting) / (maxWaiting - minWaiting);
            return weights.queue() * queue;
        }

        /** Prefix, then queue, then KV: the order the terms have always been summed in, so ties stay ties. */
        private double score(ReplicaView r, BlockHashes blocks, boolean prefixScored, double queue, double kv) {
            double score = 0;
            if (prefixScored) score += weights.prefix() * prefixes.overlap(r, blocks) / blocks.count();
            if (weights.queue() > 0) score += queue;
            if (weights.kv() > 0) score += kv;
            return score;
        }
    }
}

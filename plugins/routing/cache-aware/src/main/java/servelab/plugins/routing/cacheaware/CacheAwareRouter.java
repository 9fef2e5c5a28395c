package servelab.plugins.routing.cacheaware;

import java.util.List;

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
import servelab.plugins.routing.common.Pick;
import servelab.plugins.routing.common.PrefixOverlap;

/**
 * SGLang's router, cache-aware policy. When the load is imbalanced, that is when {@code max - min >
 * balance_abs_threshold} and {@code max > min * balance_rel_threshold} (loads: requests waiting + running on the
 * available replicas), it goes to the least loaded replica. Otherwise it goes to the replica with the longest cached
 * prefix if that prefix covers more than {@code cache_threshold} of the prompt, and else to the replica caching
 * the fewest blocks, the one with the most room. Defaults are SGLang's (0.5, 32, 1.0001). SGLang keeps an
 * approximate radix tree per worker from the requests it sent; {@code prefix_source: estimated} (the default) is
 * that, in blocks rather than characters, and {@code precise} reads the view instead. Ties: fewer requests, then
 * the lower position.
 *
 * <p>Cost per decision: O(n) view reads for the balance check; when balanced, one prefix query per available
 * replica (estimated: O(matched blocks) lookups each); O(prompt blocks) to record the choice in estimated mode.
 */
@Component(service = PluginFactory.class)
public final class CacheAwareRouter implements PluginFactory<Router> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "cache-aware", "1.0.0",
            "SGLang router: longest prefix above cache_threshold unless the load is imbalanced.",
            List.of(ParamSpec.ofDouble("cache_threshold", 0.5, 0, 1,
                            "fraction of the prompt the best cached prefix must exceed to be used"),
                    ParamSpec.ofInt("balance_abs_threshold", 32, 0, 1_000_000,
                            "imbalanced when max - min load exceeds this many requests (and the relative test holds)"),
                    ParamSpec.ofDouble("balance_rel_threshold", 1.0001, 1, 1_000_000,
                            "imbalanced when max load exceeds min load times this (and the absolute test holds)"),
                    PrefixOverlap.sourceParam("estimated"),
                    PrefixOverlap.estimateParam()));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        return new CacheAware(params.getDouble("cache_threshold"), params.getInt("balance_abs_threshold"),
                params.getDouble("balance_rel_threshold"), PrefixOverlap.from(params));
    }

    static final class CacheAware implements Router {
        private final double cacheThreshold;
        private final int balanceAbs;
        private final double balanceRel;
        private final PrefixOverlap prefixes;

        CacheAware(double cacheThreshold, int balanceAbs, double balanceRel, PrefixOverlap prefixes) {
            this.cacheThreshold = cacheThreshold;
            this.balanceAbs = balanceAbs;
            this.balanceRel = balanceRel;
            this.prefixes = prefixes;
        }

        @Override
        public int route(RequestView request, List<ReplicaView> replicas) {
            boolean filter = Pick.available(replicas) > 0;
            long min = Long.MAX_VALUE;
            long max = Long.MIN_VALUE;
            for (var r : replicas) {
                if (filter && !r.isAvailable()) continue;
                min = Math.min(min, r.queuedRequests());
                max = Math.max(max, r.queuedRequests());
            }
            boolean imbalanced = max - min > balanceAbs && max > min * balanceRel;
            int chosen = imbalanced ? Pick.leastLoaded(replicas, 0, Pick::requests)
                    : byCache(request, replicas, filter);
            prefixes.routed(replicas.get(chosen), request.promptBlocks());
            return replicas.get(chosen).index();
        }

        private int byCache(RequestView request, List<ReplicaView> replicas, boolean filter) {
            BlockHashes blocks = request.promptBlocks();
            int longest = -1;
            int longestOverlap = -1;
            int roomiest = -1;
            int fewestCached = Integer.MAX_VALUE;
            for (int i = 0, n = replicas.size(); i < n; i++) {
                var r = replicas.get(i);
                if (filter && !r.isAvailable()) continue;
                int overlap = prefixes.overlap(r, blocks);
                if (overlap > longestOverlap || (overlap == longestOverlap && fewerRequests(r, replicas, longest))) {
                    longest = i;
                    longestOverlap = overlap;
                }
                int cached = prefixes.cachedBlocks(r);
                if (cached < fewestCached || (cached == fewestCached && fewerRequests(r, replicas, roomiest))) {
                    roomiest = i;
                    fewestCached = cached;
                }
            }
            double matchRate = Math.min(1.0,
                    (double) longestOverlap * blocks.blockTokens() / Math.max(1, request.promptTokens()));
            return longestOverlap > 0 && matchRate > cacheThreshold ? longest : roomiest;
        }

        private static boolean fewerRequests(ReplicaView r, List<ReplicaView> replicas, int than) {
            return than < 0 || r.queuedRequests() < replicas.get(than).queuedRequests();
        }
    }
}

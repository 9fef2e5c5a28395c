package servelab.plugins.routing.powerofd;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToLongFunction;

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

/**
 * The power of d choices (Mitzenmacher, "The Power of Two Choices in Randomized Load Balancing", IEEE TPDS 2001;
 * Envoy's least-request balancer with {@code choice_count}): sample d distinct replicas at random and send the
 * request to the least loaded of them. With d = 2 the maximum queue is exponentially shorter than with random
 * choice, while only two views are read; unlike checking every replica, stale views do not make every request of
 * a refresh window herd onto the same one. {@code load} counts requests or outstanding tokens; ties go to the
 * first sampled. An unavailable sample loses to any available one; when all d are unavailable the router falls
 * back to the least loaded available replica of the whole list.
 *
 * <p>Cost per decision: O(d) expected (d draws and d view reads, d ≥ n reads all n), no allocation.
 */
@Component(service = PluginFactory.class)
public final class PowerOfDRouter implements PluginFactory<Router> {
    private static final int MAX_D = 64;
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "power-of-d", "1.0.0",
            "The least loaded of d replicas sampled at random (power of two choices; seeded).",
            List.of(ParamSpec.ofInt("d", 2, 1, MAX_D, "replicas sampled per decision; d at or above the replicas' count "
                            + "looks at every one, as least-requests does"),
                    ParamSpec.ofChoice("load", "requests", List.of("requests", "tokens"),
                            "requests: waiting + running; tokens: queued prefill + running context"),
                    ParamSpec.ofLong("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the samples")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        ToLongFunction<ReplicaView> load = params.getString("load").equals("tokens") ? Pick::tokens : Pick::requests;
        return new Sampler(params.getInt("d"), load, new SplittableRandom(params.getLong("seed")));
    }

    static final class Sampler implements Router {
        private final int d;
        private final ToLongFunction<ReplicaView> load;
        private final SplittableRandom random;
        private final int[] sampled;

        Sampler(int d, ToLongFunction<ReplicaView> load, SplittableRandom random) {
            this.d = d;
            this.load = load;
            this.random = random;
            this.sampled = new int[d];
        }

        @Override
        public int route(RequestView request, List<ReplicaView> replicas) {
            int n = replicas.size();
            if (d >= n) return replicas.get(Pick.leastLoaded(replicas, 0, load)).index();
            int best = -1;
            long bestLoad = Long.MAX_VALUE;
            for (int k = 0; k < d; k++) {
                int i = distinctDraw(n, k);
                var r = replicas.get(i);
                if (!r.isAvailable()) continue;
                long l = load.applyAsLong(r);
                if (l < bestLoad) {
                    best = i;
                    bestLoad = l;
                }
            }
            if (best < 0) best = Pick.leastLoaded(replicas, 0, load);
            return replicas.get(best).index();
        }

        /** A position not among the first {@code k} sampled (rejection: d is small against n). */
        private int distinctDraw(int n, int k) {
            while (true) {
                int i = random.nextInt(n);
                boolean seen = false;
                for (int j = 0; j < k; j++) seen |= sampled[j] == i;
                if (!seen) {
                    sampled[k] = i;
                    return i;
                }
            }
        }
    }
}

package servelab.plugins.routing.consistenthash;

import java.util.List;

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
 * Consistent hashing with bounded loads (Mirrokni, Thorup and Zadimoghaddam, SODA 2018; used by Vimeo's and
 * HAProxy's balancers): each replica owns {@code virtual_nodes} points on a 64-bit ring, a request goes to the first
 * replica clockwise of its session key's hash whose load stays within {@code ceil(load_factor * (total load + 1) /
 * available replicas)}, skipping full ones. A session's requests keep landing where its prefix is cached, and no
 * replica holds more than {@code load_factor} times the mean: load factor 1 is perfect balance with little
 * affinity, a large one is plain consistent hashing. Load is requests waiting + running. The ring is keyed by
 * replica names, so adding or removing a replica moves only the keys it gains or loses.
 *
 * <p>Cost per decision: O(n) to check the names and sum the loads, O(log(n * virtual_nodes)) for the ring search,
 * O(key length) to hash the session key, plus the points skipped past full replicas. Rebuilding the ring after
 * the replica set changed costs O(n * virtual_nodes * log). No allocation otherwise.
 */
@Component(service = PluginFactory.class)
public final class ConsistentHashRouter implements PluginFactory<Router> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "consistent-hash",
            "1.0.0", "Consistent hashing on the session key with bounded loads (load_factor x mean).",
            List.of(ParamSpec.ofDouble("load_factor", 1.25, 1, 1_000_000,
                            "most load a replica may take, as a multiple of the mean (after this request)"),
                    ParamSpec.ofInt("virtual_nodes", 100, 1, 10_000, "ring points per replica")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        return new BoundedRing(params.getDouble("load_factor"), params.getInt("virtual_nodes"));
    }

    static final class BoundedRing implements Router {
        private final double loadFactor;
        private final int virtualNodes;
        private HashRing ring = HashRing.EMPTY;

        BoundedRing(double loadFactor, int virtualNodes) {
            this.loadFactor = loadFactor;
            this.virtualNodes = virtualNodes;
        }

        @Override
        public int route(RequestView request, List<ReplicaView> replicas) {
            if (!ring.matches(replicas)) ring = HashRing.of(replicas, virtualNodes);
            long total = 0;
            int available = 0;
            for (var r : replicas) {
                if (!r.isAvailable()) continue;
                total += r.queuedRequests();
                available++;
            }
            if (available == 0) return replicas.get(Pick.leastLoaded(replicas, 0, Pick::requests)).index();
            long capacity = (long) Math.ceil(loadFactor * (total + 1) / available);
            int points = ring.size();
            int start = ring.firstAtOrAfter(HashRing.hash(request.sessionKey()));
            for (int k = 0; k < points; k++) {
                var r = replicas.get(ring.owner((start + k) % points));
                if (r.isAvailable() && r.queuedRequests() + 1 <= capacity) return r.index();
            }
            // unreachable: capacity >= the mean load + 1, so some available replica is below it
            return replicas.get(Pick.leastLoaded(replicas, 0, Pick::requests)).index();
        }
    }
}

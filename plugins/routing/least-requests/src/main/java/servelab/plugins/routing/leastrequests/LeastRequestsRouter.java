package servelab.plugins.routing.leastrequests;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.Router;
import servelab.plugins.routing.common.Pick;

/**
 * Join the shortest queue: the available replica with the fewest requests waiting or running (what Envoy's
 * least-request balancer approximates by sampling, and the "load-only" line of llm-d's KV-cache benchmark). Ties go to the first
 * replica scanning from a position that advances with every decision, so an idle cluster is filled in turn rather
 * than replica 0 first. On a stale view every request of a refresh window sees the same shortest queue and joins
 * it: the herding that the view-refresh experiments measure.
 *
 * <p>Cost per decision: O(n), one view read per replica, no allocation.
 */
@Component(service = PluginFactory.class)
public final class LeastRequestsRouter implements PluginFactory<Router> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "least-requests",
            "1.0.0", "The available replica with the fewest waiting + running requests.", List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        return new Router() {
            private int start;

            @Override
            public int route(servelab.api.route.RequestView request, List<servelab.api.route.ReplicaView> replicas) {
                int n = replicas.size();
                int best = Pick.leastLoaded(replicas, start % n, Pick::requests);
                start = (start + 1) % n;
                return replicas.get(best).index();
            }
        };
    }
}

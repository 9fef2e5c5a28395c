package servelab.plugins.routing.leasttokens;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;
import servelab.api.route.Router;
import servelab.plugins.routing.common.Pick;

/**
 * Join the shortest queue measured in tokens: the available replica with the fewest outstanding tokens, the
 * prompt tokens still to prefill plus the context of its running requests ({@code waitingTokens + runningTokens}).
 * A request count treats a 50-token chat turn and a 30k-token document alike; tokens weigh them by the work they
 * are (the load Dynamo's KV router counts, in blocks, as queued prefill and active decode). Ties rotate as in
 * {@code least-requests}.
 *
 * <p>Cost per decision: O(n), two view reads per replica, no allocation.
 */
@Component(service = PluginFactory.class)
public final class LeastTokensRouter implements PluginFactory<Router> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "least-tokens",
            "1.0.0", "The available replica with the fewest outstanding tokens (queued prefill + running context).",
            List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        return new Router() {
            private int start;

            @Override
            public int route(RequestView request, List<ReplicaView> replicas) {
                int n = replicas.size();
                int best = Pick.leastLoaded(replicas, start % n, Pick::tokens);
                start = (start + 1) % n;
                return replicas.get(best).index();
            }
        };
    }
}

package servelab.plugins.routing.random;

import java.util.List;
import java.util.SplittableRandom;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.route.ReplicaView;
import servelab.api.route.Router;

/**
 * A replica chosen uniformly at random among the available ones: the load-blind baseline of the routing
 * comparisons (Dynamo's and llm-d's {@code random} mode, the "random" line of llm-d's KV-cache benchmark). Seeded,
 * so a run replays exactly; policies cannot read the run's seed, so it is a parameter.
 *
 * <p>Cost per decision: O(1) when the drawn replica is available (one view read); otherwise one O(n) pass that
 * counts the available replicas and draws among them.
 */
@Component(service = PluginFactory.class)
public final class RandomRouter implements PluginFactory<Router> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.ROUTER, "random", "1.0.0",
            "A uniformly random available replica (seeded).",
            List.of(ParamSpec.ofLong("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE, "seed of the choices")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Router create(Params params) {
        var random = new SplittableRandom(params.getLong("seed"));
        return (request, replicas) -> pick(replicas, random);
    }

    static int pick(List<ReplicaView> replicas, SplittableRandom random) {
        int n = replicas.size();
        var drawn = replicas.get(random.nextInt(n));
        if (drawn.isAvailable()) return drawn.index();
        int available = 0;
        for (int i = 0; i < n; i++) if (replicas.get(i).isAvailable()) available++;
        if (available == 0) return drawn.index();
        int k = random.nextInt(available);
        for (int i = 0; ; i++) {
            if (replicas.get(i).isAvailable() && k-- == 0) return replicas.get(i).index();
        }
    }
}

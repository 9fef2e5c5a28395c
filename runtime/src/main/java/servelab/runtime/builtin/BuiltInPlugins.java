package servelab.runtime.builtin;

import java.util.Hashtable;
import java.util.List;

import org.osgi.framework.BundleContext;

import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.Params;
import servelab.api.route.Admission;
import servelab.api.route.Router;

/**
 * The plugins the runtime itself registers, so a run always has a router, an admission policy, a speculator and the
 * resilience kinds: round-robin routing, admitting everything, the {@link Speculators}, and {@link Resilience#NONE}
 * (no retries, no hedges, no breaker, no autoscaling). They are ordinary {@link PluginFactory} services (source {@code built-in}), so bundles
 * can provide alternatives and runs can switch to them like to any other plugin.
 */
public final class BuiltInPlugins {
    private BuiltInPlugins() {}

    /** Registers every built-in plugin as a {@link PluginFactory} service of the host's framework. */
    public static void register(BundleContext context) {
        register(context, new RoundRobin());
        register(context, new AcceptAll());
        for (var none : Resilience.NONE) register(context, none);
        register(context, new Speculators.None());
        register(context, new Speculators.Modeled());
        register(context, new Speculators.LayerSkip());
        register(context, new Speculators.DraftModel());
    }

    private static void register(BundleContext context, PluginFactory<?> factory) {
        var d = factory.descriptor();
        var props = new Hashtable<String, Object>();
        props.put("servelab.kind", d.kind().id());
        props.put("servelab.name", d.name());
        props.put("servelab.version", d.version());
        context.registerService(PluginFactory.class, factory, props);
    }

    /** Sends request i to replica i mod n. */
    static final class RoundRobin implements PluginFactory<Router> {
        @Override
        public PluginDescriptor descriptor() {
            return new PluginDescriptor(PluginKind.ROUTER, "round-robin", "1.0.0",
                    "Replicas in turn, whatever their load.", List.of());
        }

        @Override
        public Router create(Params params) {
            return new Router() {
                private long next;

                @Override
                public int route(servelab.api.route.RequestView request, List<servelab.api.route.ReplicaView> replicas) {
                    return replicas.get((int) (next++ % replicas.size())).index(); // a position among the candidates
                }
            };
        }
    }

    /** Admits every request. */
    static final class AcceptAll implements PluginFactory<Admission> {
        private static final Admission.Admit ADMIT = new Admission.Admit();

        @Override
        public PluginDescriptor descriptor() {
            return new PluginDescriptor(PluginKind.ADMISSION, "accept-all", "1.0.0", "Admits every request.", List.of());
        }

        @Override
        public Admission create(Params params) {
            return (request, replicas) -> ADMIT;
        }
    }
}

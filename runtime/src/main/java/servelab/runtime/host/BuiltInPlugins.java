package servelab.runtime.host;

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
 * The plugins the host itself registers, so a run always has a router and an admission policy: round-robin routing
 * and admitting everything. They are ordinary {@link PluginFactory} services (source {@code built-in}), so bundles
 * can provide alternatives and runs can switch to them like to any other plugin.
 */
final class BuiltInPlugins {
    private BuiltInPlugins() {}

    static void register(BundleContext context) {
        register(context, new RoundRobin());
        register(context, new AcceptAll());
        register(context, new servelab.runtime.engine.Speculators.None());
        register(context, new servelab.runtime.engine.Speculators.Modeled());
        register(context, new servelab.runtime.engine.Speculators.LayerSkip());
        register(context, new servelab.runtime.engine.Speculators.DraftModel());
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
                    return (int) (next++ % replicas.size());
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

package servelab.runtime.builtin;

import java.util.List;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.HedgePolicy;
import servelab.api.resilience.RetryPolicy;
import servelab.api.scale.Autoscaler;

/**
 * The {@code none} plugin of each resilience kind, which a run gets when it selects none: a fault-free cluster
 * without retries, hedges, breakers or autoscaling behaves exactly as before those kinds existed.
 */
public final class Resilience {
    private Resilience() {}

    /** The four {@code none} factories: retry, hedge, breaker, autoscaler. */
    public static final List<PluginFactory<?>> NONE = List.of(new NoRetry(), new NoHedge(), new NoBreaker(),
            new FixedFleet());

    private static PluginDescriptor none(PluginKind kind, String description) {
        return new PluginDescriptor(kind, "none", "1.0.0", description, List.of());
    }

    static final class NoRetry implements PluginFactory<RetryPolicy> {
        @Override public PluginDescriptor descriptor() {
            return none(PluginKind.RETRY, "A failed attempt fails its request.");
        }

        @Override public RetryPolicy create(Params params) {
            return (failed, gateway) -> RetryPolicy.NEVER;
        }
    }

    static final class NoHedge implements PluginFactory<HedgePolicy> {
        @Override public PluginDescriptor descriptor() {
            return none(PluginKind.HEDGE, "No hedged copies.");
        }

        @Override public HedgePolicy create(Params params) {
            return (request, gateway) -> HedgePolicy.NEVER;
        }
    }

    static final class NoBreaker implements PluginFactory<Breaker> {
        @Override public PluginDescriptor descriptor() {
            return none(PluginKind.BREAKER, "Every replica may be chosen, whatever its failures.");
        }

        @Override public Breaker create(Params params) {
            return new Breaker() {
                @Override public boolean allows(int replica, GatewayView gateway) {
                    return true;
                }

                @Override public void onEnd(AttemptEnd end, GatewayView gateway) {}
            };
        }
    }

    static final class FixedFleet implements PluginFactory<Autoscaler> {
        @Override public PluginDescriptor descriptor() {
            return none(PluginKind.AUTOSCALER, "The replicas the cluster starts with serve for the whole run.");
        }

        @Override public Autoscaler create(Params params) {
            return fleet -> fleet.servingReplicas() + fleet.startingReplicas();
        }
    }
}

package servelab.plugins.scaling.autoscaler;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.scale.Autoscaler;

/**
 * Scales on queue length, as a queue-length autoscaler (KEDA's queue scalers, the "average value" target of a
 * Kubernetes external metric): {@code desired = ceil(waiting requests / target_waiting_per_replica)}, a rise at
 * once, a fall only after the {@link ScaleDownStabilizer scale-down stabilization window}. Waiting requests lag
 * load less than utilisation does on an LLM replica (a replica near full KV keeps computing at its batch limit
 * while its queue grows), but it ignores running requests: a fleet whose requests all run sees no queue and
 * shrinks to {@code min_replicas} once the window passes.
 *
 * <p>Cost per interval: O(window / interval) for the stabilization window.
 */
@Component(service = PluginFactory.class)
public final class TargetQueueAutoscaler implements PluginFactory<Autoscaler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.AUTOSCALER, "target-queue",
            "1.0.0", "Replicas = ceil(waiting requests / target per replica), with scale-down stabilization.",
            List.of(ParamSpec.ofDouble("target_waiting_per_replica", 4, 0.01, 1e9,
                            "waiting requests per replica the fleet is sized for"),
                    ParamSpec.ofDouble("stabilization_s", 300, 0, 86_400,
                            "scale-down stabilization window, seconds (Kubernetes HPA default: 300)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Autoscaler create(Params params) {
        double target = params.getDouble("target_waiting_per_replica");
        var stabilizer = new ScaleDownStabilizer(Math.round(params.getDouble("stabilization_s") * 1e9));
        return fleet -> {
            int current = fleet.servingReplicas() + fleet.startingReplicas();
            int wanted = (int) Math.min(Integer.MAX_VALUE, Math.ceil(fleet.waitingRequests() / target));
            return stabilizer.stabilize(fleet.nowNanos(), current, wanted);
        };
    }
}

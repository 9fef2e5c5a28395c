package servelab.plugins.scaling.autoscaler;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.scale.Autoscaler;
import servelab.api.scale.FleetView;

/**
 * The Kubernetes HorizontalPodAutoscaler's rule on utilisation: {@code desired = ceil(serving x utilisation /
 * target_utilisation)}, no change while the ratio {@code utilisation / target} is within {@code tolerance} of 1
 * (HPA: 0.1), a rise at once and a fall only after the scale-down stabilization window (HPA: 300 s). Utilisation is
 * the fraction of the interval the serving replicas spent computing steps; replicas still in their cold start have
 * no utilisation and are not in the product (HPA likewise leaves unready pods out), but count as current, so the
 * window keeps them from being drained while they start.
 *
 * <p>Cost per interval: O(window / interval) for the stabilization window.
 */
@Component(service = PluginFactory.class)
public final class TargetUtilisationAutoscaler implements PluginFactory<Autoscaler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.AUTOSCALER,
            "target-utilisation", "1.0.0",
            "Kubernetes HPA rule: ceil(serving x utilisation / target), tolerance, scale-down stabilization.",
            List.of(ParamSpec.ofDouble("target_utilisation", 0.7, 0.01, 1,
                            "utilisation (busy fraction of the interval) the fleet is sized for"),
                    ParamSpec.ofDouble("tolerance", 0.1, 0, 1,
                            "no change while utilisation / target is within this of 1 (HPA: 0.1)"),
                    ParamSpec.ofDouble("stabilization_s", 300, 0, 86_400,
                            "scale-down stabilization window, seconds (HPA default: 300)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Autoscaler create(Params params) {
        double target = params.getDouble("target_utilisation");
        double tolerance = params.getDouble("tolerance");
        var stabilizer = new ScaleDownStabilizer(Math.round(params.getDouble("stabilization_s") * 1e9));
        return fleet -> {
            int current = fleet.servingReplicas() + fleet.startingReplicas();
            return stabilizer.stabilize(fleet.nowNanos(), current, recommendation(fleet, current, target, tolerance));
        };
    }

    static int recommendation(FleetView fleet, int current, double target, double tolerance) {
        if (fleet.servingReplicas() == 0) return current;
        double ratio = fleet.utilisation() / target;
        if (Math.abs(ratio - 1) <= tolerance) return current;
        return (int) Math.ceil(fleet.servingReplicas() * ratio);
    }
}

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
 * Scales on the time-to-first-token SLO: one {@code step} up while the interval's TTFT {@code quantile} is above
 * {@code slo_ttft_ms} (or requests wait and none got a first token: the fleet is too slow to measure), one step
 * down while it is under {@code down_fraction} of the SLO, and after any change no other for {@code cooldown_s},
 * so the replicas just asked for can finish their cold start and show in the TTFT before the next decision (the
 * cooldown of step-scaling policies). Between the two bounds it holds: the band is the hysteresis that keeps it
 * from flapping.
 *
 * <p>Cost per interval: one quantile read.
 */
@Component(service = PluginFactory.class)
public final class SloDrivenAutoscaler implements PluginFactory<Autoscaler> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.AUTOSCALER, "slo-driven",
            "1.0.0", "A step up while the TTFT quantile breaks the SLO, a step down when well under, with a cooldown.",
            List.of(ParamSpec.ofDouble("slo_ttft_ms", 2000, 1, 3_600_000, "time-to-first-token objective, milliseconds"),
                    ParamSpec.ofDouble("quantile", 0.9, 0.5, 1, "TTFT quantile held to the objective"),
                    ParamSpec.ofDouble("down_fraction", 0.5, 0, 1,
                            "scale down while the quantile is under this fraction of the objective"),
                    ParamSpec.ofInt("step", 1, 1, 1024, "replicas added or drained per decision"),
                    ParamSpec.ofDouble("cooldown_s", 60, 0, 86_400, "no change for this long after a change, seconds")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Autoscaler create(Params params) {
        return new Slo(Math.round(params.getDouble("slo_ttft_ms") * 1e6), params.getDouble("quantile"),
                params.getDouble("down_fraction"), params.getInt("step"),
                Math.round(params.getDouble("cooldown_s") * 1e9));
    }

    /** The policy and the time of its last change. */
    static final class Slo implements Autoscaler {
        private final long sloNanos;
        private final double quantile;
        private final double downFraction;
        private final int step;
        private final long cooldownNanos;
        private long lastChangeNanos;
        private boolean changed;

        Slo(long sloNanos, double quantile, double downFraction, int step, long cooldownNanos) {
            this.sloNanos = sloNanos;
            this.quantile = quantile;
            this.downFraction = downFraction;
            this.step = step;
            this.cooldownNanos = cooldownNanos;
        }

        @Override
        public int desiredReplicas(FleetView fleet) {
            int current = fleet.servingReplicas() + fleet.startingReplicas();
            if (changed && fleet.nowNanos() - lastChangeNanos < cooldownNanos) return current;
            long ttft = fleet.recentTtftNanos(quantile);
            boolean tooSlow = ttft > sloNanos || ttft == 0 && fleet.waitingRequests() > 0;
            boolean wellUnder = !tooSlow && ttft < downFraction * sloNanos;
            int wanted = tooSlow ? current + step : wellUnder ? current - step : current;
            int desired = Math.clamp(wanted, fleet.minReplicas(), Math.max(fleet.minReplicas(), fleet.maxReplicas()));
            if (desired != current) {
                changed = true;
                lastChangeNanos = fleet.nowNanos();
            }
            return desired;
        }
    }
}

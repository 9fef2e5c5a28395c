package servelab.plugins.scaling.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.scale.Autoscaler;
import servelab.testkit.AutoscalerContractTest;
import servelab.testkit.FleetSnapshot;
import servelab.testkit.TinyEngine;

class SloDrivenAutoscalerTest {
    private static final SloDrivenAutoscaler FACTORY = new SloDrivenAutoscaler();

    private static Autoscaler autoscaler(Map<String, ?> params) {
        return TinyEngine.create(FACTORY, params);
    }

    @Nested
    class Contract extends AutoscalerContractTest {
        @Override protected PluginFactory<Autoscaler> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("cooldown_s", 0, "step", 4, "down_fraction", 0));
        }
    }

    @Test
    void stepsUpAboveTheSloThenWaitsOutTheCooldown() {
        var a = autoscaler(Map.of("slo_ttft_ms", 1000, "quantile", 0.9, "cooldown_s", 60));
        // given: p90 of TTFT 1,500 ms on 4 replicas: up one
        var slow = FleetSnapshot.steady(4).withTtftsMillis(100, 200, 1500, 1500, 1500);
        assertEquals(5, a.desiredReplicas(slow));
        // when: still slow 30 s later (on 5), then: the cooldown holds 5
        assertEquals(5, a.desiredReplicas(slow.withReplicas(4, 1, 0).atSeconds(30)));
        // and after 60 s it steps again
        assertEquals(6, a.desiredReplicas(slow.withReplicas(5, 0, 0).atSeconds(60)));
    }

    @Test
    void holdsInTheBandAndStepsDownWellUnderTheSlo() {
        var a = autoscaler(Map.of("slo_ttft_ms", 1000, "down_fraction", 0.5, "cooldown_s", 0));
        assertEquals(6, a.desiredReplicas(FleetSnapshot.steady(6).withTtftsMillis(700, 800)));
        assertEquals(5, a.desiredReplicas(FleetSnapshot.steady(6).withTtftsMillis(300, 400).atSeconds(10)));
    }

    @Test
    void requestsWaitingWithNoFirstTokenCountAsBreakingTheSlo() {
        var a = autoscaler(Map.of());
        assertEquals(3, a.desiredReplicas(FleetSnapshot.steady(2).withLoad(50, 1, 40)));
    }

    @Test
    void neverAsksBeyondTheFleetBounds() {
        var a = autoscaler(Map.of("cooldown_s", 0, "step", 10));
        var atMax = new FleetSnapshot(0, 10_000_000_000L, 64, 0, 0, 1, 64, 5, 1, 9, new long[] {9_000_000_000L});
        assertEquals(64, a.desiredReplicas(atMax));
        assertEquals(1, a.desiredReplicas(FleetSnapshot.steady(3).atSeconds(10)));
    }
}

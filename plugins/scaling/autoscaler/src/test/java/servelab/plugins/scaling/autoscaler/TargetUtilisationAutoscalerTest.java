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

class TargetUtilisationAutoscalerTest {
    private static final TargetUtilisationAutoscaler FACTORY = new TargetUtilisationAutoscaler();

    private static Autoscaler autoscaler(Map<String, ?> params) {
        return TinyEngine.create(FACTORY, params);
    }

    @Nested
    class Contract extends AutoscalerContractTest {
        @Override protected PluginFactory<Autoscaler> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("stabilization_s", 0, "tolerance", 0, "target_utilisation", 1));
        }
    }

    @Test
    void followsTheHpaRuleCeilCurrentTimesUtilisationOverTarget() {
        // given: 4 serving at 0.95 busy, target 0.5: ceil(4 x 1.9) = ceil(7.6) = 8
        var a = autoscaler(Map.of("target_utilisation", 0.5));
        assertEquals(8, a.desiredReplicas(FleetSnapshot.steady(4).withLoad(10, 0.95, 0)));
    }

    @Test
    void holdsWithinTheToleranceAndMovesJustOutsideIt() {
        var a = autoscaler(Map.of("target_utilisation", 0.5, "stabilization_s", 0));
        // 0.54 / 0.5 = 1.08: within 0.1, hold 10 (without the tolerance, ceil(10.8) = 11)
        assertEquals(10, a.desiredReplicas(FleetSnapshot.steady(10).withLoad(1, 0.54, 0)));
        // 0.56 / 0.5 = 1.12: ceil(11.2) = 12
        assertEquals(12, a.desiredReplicas(FleetSnapshot.steady(10).withLoad(1, 0.56, 0).atSeconds(10)));
        // 0.2 / 0.5 = 0.4: ceil(4) = 4, at once with no stabilization window
        assertEquals(4, a.desiredReplicas(FleetSnapshot.steady(10).withLoad(1, 0.2, 0).atSeconds(20)));
    }

    @Test
    void startingReplicasCountAsCurrentButNotInTheProduct() {
        var a = autoscaler(Map.of("target_utilisation", 0.5, "stabilization_s", 300));
        // given: 2 serving at 1.0 and 3 starting: the rule asks ceil(2 x 2) = 4 < 5 current
        // then: the window (only this recommendation) holds 4; the cluster drains one of the five
        assertEquals(4, a.desiredReplicas(FleetSnapshot.steady(2).withReplicas(2, 3, 0).withLoad(1, 1.0, 0)));
        // and with nothing serving there is no utilisation to go by: hold
        assertEquals(3, a.desiredReplicas(FleetSnapshot.steady(0).withReplicas(0, 3, 0).atSeconds(10)));
    }
}

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

class TargetQueueAutoscalerTest {
    private static final TargetQueueAutoscaler FACTORY = new TargetQueueAutoscaler();

    private static Autoscaler autoscaler(Map<String, ?> params) {
        return TinyEngine.create(FACTORY, params);
    }

    @Nested
    class Contract extends AutoscalerContractTest {
        @Override protected PluginFactory<Autoscaler> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("stabilization_s", 0, "target_waiting_per_replica", 0.01));
        }
    }

    @Test
    void sizesTheFleetAtTheCeilingOfWaitingOverTarget() {
        var a = autoscaler(Map.of("target_waiting_per_replica", 4));
        // given: 2 replicas, 33 waiting; then: ceil(33 / 4) = 9
        assertEquals(9, a.desiredReplicas(FleetSnapshot.steady(2).withLoad(10, 1, 33)));
        // and 32 waiting on 9 replicas, a second later: exactly 8, but the 9 of a second ago holds
        assertEquals(9, a.desiredReplicas(FleetSnapshot.steady(9).withLoad(10, 1, 32).atSeconds(1)));
    }

    @Test
    void scalesDownOnlyToTheHighestRecommendationOfTheWindow() {
        var a = autoscaler(Map.of("target_waiting_per_replica", 1, "stabilization_s", 60));
        assertEquals(10, a.desiredReplicas(FleetSnapshot.steady(4).withLoad(5, 1, 10).atSeconds(0)));
        // when: the queue drains 10 s later, then: the 10 of t = 0 holds for the 60 s window
        assertEquals(10, a.desiredReplicas(FleetSnapshot.steady(10).withLoad(5, 0.5, 2).atSeconds(10)));
        assertEquals(10, a.desiredReplicas(FleetSnapshot.steady(10).withLoad(5, 0.5, 2).atSeconds(60)));
        // and once t = 0 is out of the window, the highest left is 2
        assertEquals(2, a.desiredReplicas(FleetSnapshot.steady(10).withLoad(5, 0.5, 2).atSeconds(61)));
    }
}

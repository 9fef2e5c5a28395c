package servelab.plugins.routing.kvcost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.Params;
import servelab.api.route.ReplicaView;
import servelab.api.route.Router;
import servelab.plugins.routing.common.testing.ReplicaSnapshot;
import servelab.plugins.routing.common.testing.RequestSnapshot;
import servelab.testkit.RouterContractTest;
import servelab.api.PluginFactory;

class KvCostRouterTest {
    private static final KvCostRouter FACTORY = new KvCostRouter();
    /** A 64-token prompt: 4 blocks of 16. */
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 64, 10).withBlocks(1, 2, 3, 4);

    private static Router router(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("router 'kv-cost'", FACTORY.descriptor().params(), raw));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("seed", 1), Map.of("temperature", 0.5, "prefix_source", "estimated"));
        }
    }

    @Test
    void costIsWeightedPrefillPlusDecodeBlocks() {
        // given: replica 0 caches 3 of 4 blocks and runs 160 context tokens (10 blocks);
        // replica 1 caches nothing, runs nothing, has 32 prompt tokens queued (2 blocks)
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withCached(1L, 2L, 3L).withTokens(0, 160),
                ReplicaSnapshot.idle(1).withTokens(32, 0));
        var router = (KvCostRouter.CostRouter) router(Map.of());
        // then: replica 0 costs 1 x (0 + 1) + (10 + 4) = 15; replica 1 costs 1 x (2 + 4) + (0 + 4) = 10
        assertEquals(15.0, router.cost(REQUEST, rs.get(0)), 1e-9);
        assertEquals(10.0, router.cost(REQUEST, rs.get(1)), 1e-9);
        assertEquals(1, router.route(REQUEST, rs));
        // with overlap weight 4: 4 + 14 = 18 against 24 + 4 = 28, so the cache wins
        assertEquals(0, router(Map.of("overlap_weight", 4)).route(REQUEST, rs));
    }

    @Test
    void temperatureSpreadsChoicesByCost() {
        // given: replica 0 slightly cheaper than replica 1 (normalised 0 against 1)
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1).withTokens(0, 16));
        var cold = router(Map.of());
        var warm = router(Map.of("temperature", 1.0, "seed", 3));
        int warmOnes = 0;
        for (int k = 0; k < 1000; k++) {
            assertEquals(0, cold.route(REQUEST, rs));
            warmOnes += warm.route(REQUEST, rs);
        }
        // then: at temperature 1, P(1) = e^-1 / (1 + e^-1) = 0.269 (sd ~14 over 1000)
        assertTrue(warmOnes > 210 && warmOnes < 330, "replica 1 chosen " + warmOnes + " times");
    }
}

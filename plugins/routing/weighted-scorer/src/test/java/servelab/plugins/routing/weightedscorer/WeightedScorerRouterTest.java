package servelab.plugins.routing.weightedscorer;

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

class WeightedScorerRouterTest {
    private static final WeightedScorerRouter FACTORY = new WeightedScorerRouter();
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 64, 10).withBlocks(1, 2, 3, 4);

    private static Router router(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("router 'weighted-scorer'", FACTORY.descriptor().params(), raw));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("kv_weight", 1, "seed", 2));
        }
    }

    @Test
    void weighsPrefixAgainstQueue() {
        // given: replica 0 caches all 4 blocks but has the longest waiting queue (6); replica 1 caches 2, waits 3;
        // replica 2 caches nothing and waits 0
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withCached(1L, 2L, 3L, 4L).withQueue(6, 0),
                ReplicaSnapshot.idle(1).withCached(1L, 2L).withQueue(3, 0), ReplicaSnapshot.idle(2));
        // then: default weights prefix 3, queue 2: scores 3*1 + 2*0 = 3, 3*0.5 + 2*0.5 = 2.5, 0 + 2*1 = 2 -> 0
        assertEquals(0, router(Map.of()).route(REQUEST, rs));
        // with queue weight 5: 3, 1.5 + 2.5 = 4, 5 -> replica 2
        assertEquals(2, router(Map.of("queue_weight", 5)).route(REQUEST, rs));
    }

    @Test
    void kvScorePrefersFreeMemory() {
        // given: equal queues and no prefix; replica 1 has 80 of 100 blocks free, replica 0 only 10
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withFreeBlocks(10, 100),
                ReplicaSnapshot.idle(1).withFreeBlocks(80, 100));
        assertEquals(1, router(Map.of("kv_weight", 1)).route(REQUEST, rs));
    }

    @Test
    void tiesAreDrawnAtRandomButReproducibly() {
        // given: three identical idle replicas
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1), ReplicaSnapshot.idle(2));
        var router = router(Map.of("seed", 1));
        int[] counts = new int[3];
        for (int k = 0; k < 900; k++) counts[router.route(REQUEST, rs)]++;
        // then: each gets about a third (sd ~14)
        for (int c : counts) assertTrue(c > 230 && c < 370, java.util.Arrays.toString(counts));
    }
}

package servelab.plugins.routing.powerofd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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

class PowerOfDRouterTest {
    private static final PowerOfDRouter FACTORY = new PowerOfDRouter();
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 100, 10);

    private static Router router(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("router 'power-of-d'", FACTORY.descriptor().params(), raw));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("seed", 9), Map.of("d", 3, "load", "tokens"));
        }
    }

    @Test
    void neverPicksTheMostLoadedOfTwoWithDTwo() {
        // given: two replicas, replica 0 busier; with d = 2 both are always sampled
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(5, 0), ReplicaSnapshot.idle(1).withQueue(1, 0));
        var router = router(Map.of("d", 2));
        for (int k = 0; k < 50; k++) assertEquals(1, router.route(REQUEST, rs));
    }

    @Test
    void theBusiestOfManyIsOnlyChosenWhenSampledTwice() {
        // given: ten replicas with loads 0..9, d = 2: replica 9 loses to any other sample, and samples are distinct
        var rs = new ArrayList<ReplicaView>();
        for (int i = 0; i < 10; i++) rs.add(ReplicaSnapshot.idle(i).withQueue(i, 0));
        var router = router(Map.of("d", 2, "seed", 4));
        int[] counts = new int[10];
        for (int k = 0; k < 4500; k++) counts[router.route(REQUEST, rs)]++;
        // then: never 9; replica i wins when sampled with a busier one: P = 2 (9 - i) / 90, so 0 gets ~900, 8 ~100
        assertEquals(0, counts[9]);
        assertTrue(counts[0] > 780 && counts[0] < 1020, "replica 0: " + counts[0]);
        assertTrue(counts[8] > 55 && counts[8] < 150, "replica 8: " + counts[8]);
    }

    @Test
    void dAtLeastNChecksEveryReplica() {
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(2, 0), ReplicaSnapshot.idle(1).withQueue(3, 0),
                ReplicaSnapshot.idle(2).withQueue(1, 0));
        assertEquals(2, router(Map.of("d", 3)).route(REQUEST, rs));
    }
}

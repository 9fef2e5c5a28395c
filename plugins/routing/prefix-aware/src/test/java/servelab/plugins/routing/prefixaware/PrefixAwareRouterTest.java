package servelab.plugins.routing.prefixaware;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

class PrefixAwareRouterTest {
    private static final PrefixAwareRouter FACTORY = new PrefixAwareRouter();
    private static final RequestSnapshot SHARED = RequestSnapshot.of(1, 64, 10).withBlocks(1, 2, 3, 4);

    private static Router router(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("router 'prefix-aware'", FACTORY.descriptor().params(), raw));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("prefix_source", "estimated", "max_load_gap", 2));
        }
    }

    @Test
    void choosesTheLongestCachedPrefix() {
        // given: replica 0 caches blocks 1-2, replica 1 blocks 1-3, replica 2 nothing; queues within the guard
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withCached(1L, 2L).withQueue(1, 0),
                ReplicaSnapshot.idle(1).withCached(1L, 2L, 3L).withQueue(3, 0), ReplicaSnapshot.idle(2));
        // then: replica 1 (3 leading blocks)
        assertEquals(1, router(Map.of()).route(SHARED, rs));
    }

    @Test
    void theLoadGuardSkipsAReplicaTooFarAboveTheShortestQueue() {
        // given: replica 1 caches the whole prefix but has 10 more requests than the idle replica 2; guard 8
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withCached(1L).withQueue(4, 0),
                ReplicaSnapshot.idle(1).withCached(1L, 2L, 3L, 4L).withQueue(6, 4), ReplicaSnapshot.idle(2));
        // then: replica 0 (1 block, 4 above the shortest) beats the overloaded replica 1
        assertEquals(0, router(Map.of("max_load_gap", 8)).route(SHARED, rs));
        // and with a guard of 10 replica 1 is eligible again
        assertEquals(1, router(Map.of("max_load_gap", 10)).route(SHARED, rs));
    }

    @Test
    void withoutAnyCachedPrefixTheShortestQueue() {
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(2, 0), ReplicaSnapshot.idle(1).withQueue(1, 0));
        assertEquals(1, router(Map.of()).route(SHARED, rs));
    }

    @Test
    void estimatedModeFollowsItsOwnDecisions() {
        // given: the views know nothing cached; two idle replicas
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1));
        var router = router(Map.of("prefix_source", "estimated"));
        // when: the first request of a session goes to replica 0 (the shortest queue, ties from position 0)
        assertEquals(0, router.route(SHARED, rs));
        // then: a second request sharing blocks 1-2 follows it, though ties would now start at position 1
        assertEquals(0, router.route(RequestSnapshot.of(2, 48, 10).withBlocks(1, 2, 9), rs));
        // and an unrelated prompt goes by load (ties rotate to position 0 again after two decisions)
        assertEquals(0, router.route(RequestSnapshot.of(3, 48, 10).withBlocks(7, 8), rs));
        assertEquals(1, router.route(RequestSnapshot.of(4, 48, 10).withBlocks(5, 6), rs));
    }
}

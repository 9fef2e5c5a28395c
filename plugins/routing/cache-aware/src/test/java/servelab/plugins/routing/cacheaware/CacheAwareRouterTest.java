package servelab.plugins.routing.cacheaware;

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

class CacheAwareRouterTest {
    private static final CacheAwareRouter FACTORY = new CacheAwareRouter();
    /** 4 blocks of 16 tokens: the whole 64-token prompt. */
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 64, 10).withBlocks(1, 2, 3, 4);

    private static Router precise(Map<String, Object> raw) {
        var all = new java.util.HashMap<String, Object>(raw);
        all.put("prefix_source", "precise");
        return FACTORY.create(Params.validate("router 'cache-aware'", FACTORY.descriptor().params(), all));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("prefix_source", "precise", "balance_abs_threshold", 4));
        }
    }

    @Test
    void aMatchAboveTheThresholdWins() {
        // given: replica 1 caches 3 of 4 blocks (75% > 50%), replica 0 nothing
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1).withCached(1L, 2L, 3L).withQueue(5, 5));
        assertEquals(1, precise(Map.of()).route(REQUEST, rs));
    }

    @Test
    void aMatchBelowTheThresholdGoesToTheReplicaCachingLeast() {
        // given: replica 0 caches block 1 only (25%) and 3 other blocks; replica 1 caches 1 unrelated block
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withCached(1L, 7L, 8L, 9L),
                ReplicaSnapshot.idle(1).withCached(5L));
        // then: replica 1, the smallest tree
        assertEquals(1, precise(Map.of()).route(REQUEST, rs));
    }

    @Test
    void imbalanceOverridesTheCache() {
        // given: replica 1 caches everything but has 40 requests against replica 0's 2 (gap 38 > 32, 40 > 2 x 1.0001)
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(2, 0),
                ReplicaSnapshot.idle(1).withCached(1L, 2L, 3L, 4L).withQueue(20, 20));
        assertEquals(0, precise(Map.of()).route(REQUEST, rs));
        // with an absolute threshold of 40 the same state counts as balanced: the cache wins
        assertEquals(1, precise(Map.of("balance_abs_threshold", 40)).route(REQUEST, rs));
    }

    @Test
    void estimatedTreesRememberWhereSessionsWent() {
        // given: the default (estimated) router, two idle replicas with no view of their caches
        var router = FACTORY.create(Params.defaults(FACTORY.descriptor().params()));
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1));
        // when: a first prompt goes to the smallest tree (both empty: replica 0); an unrelated one to the now smaller 1
        assertEquals(0, router.route(REQUEST, rs));
        assertEquals(1, router.route(RequestSnapshot.of(2, 64, 10).withBlocks(5, 6, 7, 8), rs));
        // then: a prompt sharing 3 of 4 blocks with the first follows it to replica 0
        assertEquals(0, router.route(RequestSnapshot.of(3, 64, 10).withBlocks(1, 2, 3, 9), rs));
    }
}

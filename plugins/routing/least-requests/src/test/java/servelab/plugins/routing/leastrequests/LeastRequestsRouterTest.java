package servelab.plugins.routing.leastrequests;

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

class LeastRequestsRouterTest {
    private static final LeastRequestsRouter FACTORY = new LeastRequestsRouter();
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 100, 10);

    private static Router router() {
        return FACTORY.create(Params.defaults(FACTORY.descriptor().params()));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }
    }

    @Test
    void choosesTheFewestWaitingPlusRunning() {
        // given: queues 3+2, 1+1, 0+4
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(3, 2), ReplicaSnapshot.idle(1).withQueue(1, 1),
                ReplicaSnapshot.idle(2).withQueue(0, 4));
        // then: replica 1 (2 requests)
        assertEquals(1, router().route(REQUEST, rs));
    }

    @Test
    void rotatesTiesAndSkipsDownReplicas() {
        // given: three idle replicas, replica 1 down
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1).unavailable(),
                ReplicaSnapshot.idle(2));
        var router = router();
        // when: three decisions on the same (stale) view
        // then: ties scan from positions 0, 1, 2: 0, then 2 (1 is down), then 2
        assertEquals(0, router.route(REQUEST, rs));
        assertEquals(2, router.route(REQUEST, rs));
        assertEquals(2, router.route(REQUEST, rs));
    }

    @Test
    void returnsClusterIndicesForAGroupSubset() {
        // given: a degraded request sees only replicas 4 and 7 of the cluster
        List<ReplicaView> group = List.of(ReplicaSnapshot.idle(4).withQueue(2, 0), ReplicaSnapshot.idle(7));
        assertEquals(7, router().route(REQUEST, group));
    }
}

package servelab.plugins.routing.leasttokens;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.Params;
import servelab.api.route.ReplicaView;
import servelab.plugins.routing.common.testing.ReplicaSnapshot;
import servelab.plugins.routing.common.testing.RequestSnapshot;
import servelab.testkit.RouterContractTest;
import servelab.api.PluginFactory;
import servelab.api.route.Router;

class LeastTokensRouterTest {
    private static final LeastTokensRouter FACTORY = new LeastTokensRouter();

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }
    }

    @Test
    void weighsQueuesByTokensNotRequests() {
        // given: replica 0 has one request with a 30k-token prompt queued; replica 1 has four short chats running
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(1, 0).withTokens(30_000, 0),
                ReplicaSnapshot.idle(1).withQueue(0, 4).withTokens(0, 4 * 300));
        var router = FACTORY.create(Params.defaults(FACTORY.descriptor().params()));
        // then: replica 1 (1,200 outstanding tokens against 30,000), though it has more requests
        assertEquals(1, router.route(RequestSnapshot.of(1, 100, 10), rs));
    }
}

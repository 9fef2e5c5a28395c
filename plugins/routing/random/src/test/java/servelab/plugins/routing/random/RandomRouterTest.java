package servelab.plugins.routing.random;

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

class RandomRouterTest {
    private static final RandomRouter FACTORY = new RandomRouter();

    private static Router router(long seed) {
        return FACTORY.create(Params.validate("router 'random'", FACTORY.descriptor().params(), Map.of("seed", seed)));
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("seed", 3));
        }
    }

    @Test
    void spreadsEvenlyAndNeverPicksADownReplica() {
        // given: four replicas, replica 2 down
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1),
                ReplicaSnapshot.idle(2).unavailable(), ReplicaSnapshot.idle(3));
        var router = router(1);
        int[] counts = new int[4];
        // when: 3000 requests
        for (int k = 0; k < 3000; k++) counts[router.route(RequestSnapshot.of(k, 10, 10), rs)]++;
        // then: none on 2, about 1000 on each other (binomial sd ~26, so 850..1150 cannot fail by chance)
        assertEquals(0, counts[2]);
        for (int i : new int[] {0, 1, 3}) assertTrue(counts[i] > 850 && counts[i] < 1150, "replica " + i + ": " + counts[i]);
    }

    @Test
    void sameSeedSameChoicesOtherSeedOtherChoices() {
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0), ReplicaSnapshot.idle(1), ReplicaSnapshot.idle(2));
        var a = router(5);
        var b = router(5);
        var c = router(6);
        var sa = new StringBuilder();
        var sb = new StringBuilder();
        var sc = new StringBuilder();
        for (int k = 0; k < 40; k++) {
            var req = RequestSnapshot.of(k, 10, 10);
            sa.append(a.route(req, rs));
            sb.append(b.route(req, rs));
            sc.append(c.route(req, rs));
        }
        assertEquals(sa.toString(), sb.toString());
        assertTrue(!sa.toString().equals(sc.toString()), "seeds 5 and 6 gave the same 40 choices");
    }
}

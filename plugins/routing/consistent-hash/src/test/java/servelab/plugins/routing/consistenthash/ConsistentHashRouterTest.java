package servelab.plugins.routing.consistenthash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

class ConsistentHashRouterTest {
    private static final ConsistentHashRouter FACTORY = new ConsistentHashRouter();

    private static Router router(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("router 'consistent-hash'", FACTORY.descriptor().params(), raw));
    }

    private static List<ReplicaView> idle(int n) {
        var rs = new ArrayList<ReplicaView>();
        for (int i = 0; i < n; i++) rs.add(ReplicaSnapshot.idle(i));
        return rs;
    }

    private static RequestSnapshot session(String key) {
        return RequestSnapshot.of(1, 10, 10).withSession(key);
    }

    @Nested
    class Contract extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("load_factor", 1.0, "virtual_nodes", 3));
        }
    }

    @Test
    void aSessionStaysOnItsReplicaWhileLoadAllows() {
        var router = router(Map.of());
        var rs = idle(4);
        int home = router.route(session("alice"), rs);
        for (int k = 0; k < 10; k++) assertEquals(home, router.route(session("alice"), rs));
    }

    @Test
    void aFullReplicaPassesTheSessionClockwise() {
        // given: alice's home replica holds 5 requests, the others none: mean after this one (5 + 1) / 4 = 1.5,
        // capacity ceil(1.25 x 1.5) = 2
        var router = router(Map.of());
        var rs = idle(4);
        int home = router.route(session("alice"), rs);
        rs.set(home, ReplicaSnapshot.idle(home).withQueue(5, 0));
        // then: alice goes elsewhere, and with a huge load factor she stays home
        assertNotEquals(home, router.route(session("alice"), rs));
        assertEquals(home, router(Map.of("load_factor", 100)).route(session("alice"), rs));
    }

    @Test
    void removingAReplicaMovesOnlyItsSessions() {
        // given: 200 sessions over 5 replicas named r0..r4
        var router = router(Map.of());
        var five = idle(5);
        int[] before = new int[200];
        for (int s = 0; s < 200; s++) before[s] = router.route(session("s" + s), five);
        // when: r2 leaves (the list shrinks; names stay with their replicas)
        var four = new ArrayList<>(five);
        four.remove(2);
        // then: every session not on r2 keeps its replica (same index and name); r2's move somewhere
        int moved = 0;
        for (int s = 0; s < 200; s++) {
            int after = router.route(session("s" + s), four);
            if (before[s] != 2) assertEquals(before[s], after, "session s" + s);
            else moved++;
        }
        assertTrue(moved > 10 && moved < 90, moved + " sessions were on r2");
    }
}

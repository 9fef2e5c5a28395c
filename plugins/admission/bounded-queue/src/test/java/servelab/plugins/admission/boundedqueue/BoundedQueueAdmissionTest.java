package servelab.plugins.admission.boundedqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.Params;
import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.plugins.routing.common.testing.ReplicaSnapshot;
import servelab.plugins.routing.common.testing.RequestSnapshot;
import servelab.testkit.AdmissionContractTest;
import servelab.api.PluginFactory;

class BoundedQueueAdmissionTest {
    private static final BoundedQueueAdmission FACTORY = new BoundedQueueAdmission();
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 100, 10);

    private static Admission admission(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("admission 'bounded-queue'", FACTORY.descriptor().params(), raw));
    }

    @Nested
    class Contract extends AdmissionContractTest {
        @Override protected PluginFactory<Admission> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("max_waiting_per_replica", 10, "max_waiting_total", 40));
        }
    }

    @Test
    void admitsWhileOneReplicaHasRoom() {
        // given: bound 4; replica 0 full (4 waiting), replica 1 has 3
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(4, 8), ReplicaSnapshot.idle(1).withQueue(3, 8));
        assertSame(Admission.ADMIT, admission(Map.of("max_waiting_per_replica", 4)).admit(REQUEST, rs));
    }

    @Test
    void rejectsWhenEveryAvailableReplicaIsFull() {
        // given: bound 4; replica 0 full, replica 1 has room but is down
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(4, 0), ReplicaSnapshot.idle(1).unavailable());
        var decision = admission(Map.of("max_waiting_per_replica", 4)).admit(REQUEST, rs);
        assertEquals(new Admission.Reject("every available replica's queue is full: max_waiting_per_replica 4 on all 1"),
                decision);
    }

    @Test
    void rejectsWhenTheClusterQueueIsFull() {
        // given: a global bound of 6 and 3 + 3 waiting; no per-replica bound
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withQueue(3, 0), ReplicaSnapshot.idle(1).withQueue(3, 0));
        var decision = admission(Map.of("max_waiting_per_replica", 0, "max_waiting_total", 6)).admit(REQUEST, rs);
        assertEquals(new Admission.Reject("cluster queue full: 6 requests waiting, max_waiting_total 6"), decision);
    }
}

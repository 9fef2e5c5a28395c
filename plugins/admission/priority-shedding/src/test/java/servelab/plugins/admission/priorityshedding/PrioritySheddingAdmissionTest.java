package servelab.plugins.admission.priorityshedding;

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

class PrioritySheddingAdmissionTest {
    private static final PrioritySheddingAdmission FACTORY = new PrioritySheddingAdmission();

    private static Admission admission() {
        return FACTORY.create(Params.validate("admission 'priority-shedding'", FACTORY.descriptor().params(),
                Map.of("shed_at", 8, "step", 4)));
    }

    private static List<ReplicaView> waiting(int perReplica) {
        return List.of(ReplicaSnapshot.idle(0).withQueue(perReplica, 0), ReplicaSnapshot.idle(1).withQueue(perReplica, 0));
    }

    private static RequestSnapshot priority(int p) {
        return RequestSnapshot.of(p, 10, 10).withPriority(p);
    }

    @Nested
    class Contract extends AdmissionContractTest {
        @Override protected PluginFactory<Admission> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("shed_at", 6, "step", 2));
        }
    }

    @Test
    void shedsTheLeastUrgentClassesFirstAsLoadRises() {
        // given: classes 0, 1, 2 seen at low load (everything admitted below shed_at 8)
        var policy = admission();
        for (int p = 0; p < 3; p++) assertSame(Admission.ADMIT, policy.admit(priority(p), waiting(7)));
        // when: 8 waiting per replica: one class shed (priority 2)
        assertSame(Admission.ADMIT, policy.admit(priority(1), waiting(8)));
        assertEquals(new Admission.Reject("load 8.0 waiting per replica (shed_at 8.0): shedding the 1 least urgent of 3"
                + " priority classes, priority >= 2"), policy.admit(priority(2), waiting(8)));
        // when: 12 waiting: two classes shed, priority 0 still admitted
        assertEquals(Admission.Reject.class, policy.admit(priority(1), waiting(12)).getClass());
        assertSame(Admission.ADMIT, policy.admit(priority(0), waiting(12)));
        // then: even at 100 waiting the most urgent class is never shed
        assertSame(Admission.ADMIT, policy.admit(priority(0), waiting(100)));
    }
}

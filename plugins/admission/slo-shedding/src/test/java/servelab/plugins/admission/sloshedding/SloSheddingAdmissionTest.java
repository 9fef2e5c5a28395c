package servelab.plugins.admission.sloshedding;

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

class SloSheddingAdmissionTest {
    private static final SloSheddingAdmission FACTORY = new SloSheddingAdmission();
    /** A 1,000-token prompt. */
    private static final RequestSnapshot REQUEST = RequestSnapshot.of(1, 1000, 10);

    private static Admission admission(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("admission 'slo-shedding'", FACTORY.descriptor().params(), raw));
    }

    @Nested
    class Contract extends AdmissionContractTest {
        @Override protected PluginFactory<Admission> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("ttft_slo_ms", 500));
        }
    }

    @Test
    void admitsWhenTheBestReplicaCanMeetTheSlo() {
        // given: SLO 1 s, 10k prefill tokens/s; replica 0 has 20k tokens queued (2.1 s), replica 1 has 4k (0.5 s)
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withTokens(20_000, 0),
                ReplicaSnapshot.idle(1).withTokens(4_000, 0));
        assertSame(Admission.ADMIT, admission(Map.of()).admit(REQUEST, rs));
    }

    @Test
    void rejectsWhenEvenTheBestReplicaWouldMissIt() {
        // given: both replicas have 14k tokens queued: (14,000 + 1,000) / 10,000 = 1.5 s > 1 s
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withTokens(14_000, 0),
                ReplicaSnapshot.idle(1).withTokens(14_000, 0));
        assertEquals(new Admission.Reject("predicted TTFT 1500 ms on the best replica exceeds the SLO of 1000 ms"),
                admission(Map.of()).admit(REQUEST, rs));
    }

    @Test
    void recentTtftRaisesThePrediction() {
        // given: an empty queue but a recent TTFT of 1.2 s (decode pressure the queue term cannot see)
        List<ReplicaView> rs = List.of(ReplicaSnapshot.idle(0).withRecentTtftMillis(1200));
        assertEquals(new Admission.Reject("predicted TTFT 1200 ms on the best replica exceeds the SLO of 1000 ms"),
                admission(Map.of()).admit(REQUEST, rs));
        // when the policy ignores it: 1,000 / 10,000 = 0.1 s, admitted
        assertSame(Admission.ADMIT, admission(Map.of("use_recent_ttft", false)).admit(REQUEST, rs));
    }
}

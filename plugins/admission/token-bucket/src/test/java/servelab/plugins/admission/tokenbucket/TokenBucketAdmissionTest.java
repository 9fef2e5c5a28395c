package servelab.plugins.admission.tokenbucket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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

class TokenBucketAdmissionTest {
    private static final TokenBucketAdmission FACTORY = new TokenBucketAdmission();
    private static final List<ReplicaView> ONE = List.of(ReplicaSnapshot.idle(0));

    private static Admission admission(Map<String, ?> raw) {
        return FACTORY.create(Params.validate("admission 'token-bucket'", FACTORY.descriptor().params(), raw));
    }

    private static RequestSnapshot from(String tenant, long millis) {
        return RequestSnapshot.of(1, 100, 50).withTenant(tenant).at(millis * 1_000_000L);
    }

    @Nested
    class Contract extends AdmissionContractTest {
        @Override protected PluginFactory<Admission> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("rate", 100, "burst", 3));
        }
    }

    @Test
    void aBurstPassesThenTheRateLimits() {
        // given: 2 requests per second, burst 2
        var bucket = admission(Map.of("rate", 2, "burst", 2));
        // when: three requests from alice at t = 0
        assertSame(Admission.ADMIT, bucket.admit(from("alice", 0), ONE));
        assertSame(Admission.ADMIT, bucket.admit(from("alice", 0), ONE));
        var third = bucket.admit(from("alice", 0), ONE);
        // then: the third is rejected with the budget; bob has his own bucket
        assertEquals(new Admission.Reject("tenant 'alice' over its rate: needs 1 requests, bucket holds 0 (rate 2.0"
                + " requests/s, burst 2.0)"), third);
        assertSame(Admission.ADMIT, bucket.admit(from("bob", 0), ONE));
        // and 499 ms later alice has 0.998 of a request: still rejected; at 500 ms she has one again
        assertInstanceOf(Admission.Reject.class, bucket.admit(from("alice", 499), ONE));
        assertSame(Admission.ADMIT, bucket.admit(from("alice", 500), ONE));
    }

    @Test
    void tokenUnitChargesPromptPlusOutput() {
        // given: 1,000 tokens per second, burst 200; each request costs 100 + 50 = 150
        var bucket = admission(Map.of("rate", 1000, "burst", 200, "unit", "tokens"));
        assertSame(Admission.ADMIT, bucket.admit(from("a", 0), ONE));
        // 50 left + 50 ms x 1 token/ms = 100 < 150
        assertInstanceOf(Admission.Reject.class, bucket.admit(from("a", 50), ONE));
        // 100 ms after that: 200 (capped at burst) >= 150
        assertSame(Admission.ADMIT, bucket.admit(from("a", 150), ONE));
    }
}

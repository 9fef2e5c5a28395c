package servelab.plugins.resilience.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.resilience.AttemptEnd.Result;
import servelab.api.resilience.Breaker;
import servelab.testkit.AttemptEnds;
import servelab.testkit.BreakerContractTest;
import servelab.testkit.GatewaySnapshot;
import servelab.testkit.TinyEngine;

class OutlierEjectionTest {
    private static final OutlierEjection FACTORY = new OutlierEjection();

    private static Breaker ejection(Map<String, ?> params) {
        return TinyEngine.create(FACTORY, params);
    }

    /** {@code n} failures on {@code replica} of a cluster of {@code replicas}, 1 ms apart from {@code fromMs}. */
    private static void fail(Breaker b, int replicas, int replica, int n, long fromMs) {
        for (int i = 0; i < n; i++) {
            long t = fromMs + i;
            b.onEnd(AttemptEnds.failure(replica, Result.CRASHED, t, 0), GatewaySnapshot.idle(replicas).at(t * 1_000_000L));
        }
    }

    private static boolean allows(Breaker b, int replicas, int replica, long ms) {
        return b.allows(replica, GatewaySnapshot.idle(replicas).at(ms * 1_000_000L));
    }

    @Test
    void anEjectionOfNoTimeIsRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ejection(Map.of("base_ejection_ms", 0)));
        assertEquals("parameter 'base_ejection_ms' is 0.0, which ejects no replica for any time; for no breaker, use"
                + " the breaker plugin 'none'", e.getMessage());
    }

    @Nested
    class Contract extends BreakerContractTest {
        @Override protected PluginFactory<Breaker> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("consecutive_5xx", 1, "max_ejection_percent", 100),
                    Map.of("slow_answer_ms", 1000, "max_ejection_percent", 0));
        }
    }

    @Test
    void fiveFailuresInARowEjectButAnAnswerBetweenResetsTheCount() {
        var b = ejection(Map.of());
        fail(b, 10, 0, 4, 0);
        b.onEnd(AttemptEnds.answer(0, 10, 5), GatewaySnapshot.idle(10).at(10_000_000L));
        fail(b, 10, 0, 4, 20);
        assertTrue(allows(b, 10, 0, 30), "4 + 4 failures with an answer between: not an outlier");
        fail(b, 10, 0, 1, 30);
        assertFalse(allows(b, 10, 0, 31), "the 5th failure in a row ejects");
    }

    @Test
    void theEjectionLastsBaseTimesTimesEjectedUpToTheMax() {
        var b = ejection(Map.of("base_ejection_ms", 30_000, "max_ejection_ms", 70_000));
        fail(b, 10, 0, 5, 0); // ejected at 4 ms for 30 s
        assertFalse(allows(b, 10, 0, 30_003));
        assertTrue(allows(b, 10, 0, 30_004));
        fail(b, 10, 0, 5, 40_000); // second time: 60 s, from 40,004 ms
        assertFalse(allows(b, 10, 0, 100_003));
        assertTrue(allows(b, 10, 0, 100_004));
        fail(b, 10, 0, 5, 200_000); // third time: 90 s capped at 70 s
        assertFalse(allows(b, 10, 0, 270_003));
        assertTrue(allows(b, 10, 0, 270_004));
    }

    @Test
    void atTenPercentTenReplicasEjectOneAndTwentyEjectTwo() {
        var ten = ejection(Map.of());
        for (int r = 0; r < 3; r++) fail(ten, 10, r, 5, 10L * r);
        // then: only the first outlier is out; the cap keeps 1 and 2 in
        assertEquals(List.of(false, true, true), List.of(allows(ten, 10, 0, 100), allows(ten, 10, 1, 100), allows(ten, 10, 2, 100)));
        var twenty = ejection(Map.of());
        for (int r = 0; r < 3; r++) fail(twenty, 20, r, 5, 10L * r);
        assertEquals(List.of(false, false, true),
                List.of(allows(twenty, 20, 0, 100), allows(twenty, 20, 1, 100), allows(twenty, 20, 2, 100)));
    }

    @Test
    void oneReplicaMayAlwaysBeEjectedEvenAtZeroPercent() {
        var b = ejection(Map.of("max_ejection_percent", 0));
        fail(b, 4, 2, 5, 0);
        fail(b, 4, 3, 5, 10);
        assertFalse(allows(b, 4, 2, 20));
        assertTrue(allows(b, 4, 3, 20));
    }

    @Test
    void anOutlierHeldInByTheCapIsEjectedAtItsNextFailureOnceRoomIsMade() {
        var b = ejection(Map.of("base_ejection_ms", 1000));
        fail(b, 10, 0, 5, 0); // 0 out until 1,004 ms
        fail(b, 10, 1, 5, 10); // 1 held in by the cap
        assertTrue(allows(b, 10, 1, 20));
        fail(b, 10, 1, 1, 2000); // 0's ejection is over: room for 1
        assertFalse(allows(b, 10, 1, 2001));
        assertTrue(allows(b, 10, 0, 2001));
    }

    @Test
    void slowAnswersCountAsFailuresWhenSlowAnswerMsIsSet() {
        var judged = ejection(Map.of("slow_answer_ms", 5000));
        var blind = ejection(Map.of());
        for (int i = 0; i < 5; i++) {
            var slow = AttemptEnds.answer(1, 10_000 + i, 8000);
            judged.onEnd(slow, GatewaySnapshot.idle(10).at((10_000 + i) * 1_000_000L));
            blind.onEnd(slow, GatewaySnapshot.idle(10).at((10_000 + i) * 1_000_000L));
        }
        assertFalse(allows(judged, 10, 1, 10_010));
        assertTrue(allows(blind, 10, 1, 10_010));
    }
}

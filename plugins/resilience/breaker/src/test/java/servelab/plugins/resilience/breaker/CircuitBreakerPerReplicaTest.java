package servelab.plugins.resilience.breaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;

import servelab.api.PluginFactory;
import servelab.api.resilience.AttemptEnd.Result;
import servelab.api.resilience.Breaker;
import servelab.testkit.AttemptEnds;
import servelab.testkit.BreakerContractTest;
import servelab.testkit.GatewaySnapshot;
import servelab.testkit.TinyEngine;

class CircuitBreakerPerReplicaTest {
    private static final CircuitBreakerPerReplica FACTORY = new CircuitBreakerPerReplica();
    /** A window of 4 calls, evaluated from the 4th, a 10 s wait when open, 2 calls to judge a half-open breaker. */
    private static final Map<String, Object> SMALL = Map.of("sliding_window_size", 4, "minimum_calls", 4,
            "wait_open_ms", 10_000, "permitted_half_open", 2);
    private static final GatewaySnapshot GATEWAY = GatewaySnapshot.idle(3);

    private static ReplicaBreakers breakers(Map<String, Object> params) {
        return (ReplicaBreakers) TinyEngine.create(FACTORY, params);
    }

    private static GatewaySnapshot at(long ms) {
        return GATEWAY.at(ms * 1_000_000L);
    }

    /** {@code n} ends of {@code result} on {@code replica}, a second apart from {@code fromMs}; the last time. */
    private static long ends(Breaker breaker, int replica, Result result, int n, long fromMs, long latencyMs) {
        long t = fromMs;
        for (int i = 0; i < n; i++, t += 1000) {
            var end = result == Result.ANSWERED ? AttemptEnds.answer(replica, t, latencyMs)
                    : AttemptEnds.failure(replica, result, t, latencyMs);
            breaker.onEnd(end, at(t));
        }
        return t - 1000;
    }

    @Nested
    class Contract extends BreakerContractTest {
        @Override protected PluginFactory<Breaker> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), SMALL, Map.of("minimum_calls", 2, "sliding_window_size", 2, "slow_call_ms", 50));
        }
    }

    @Test
    void minimumCallsAboveTheWindowIsAnErrorNamingBothKeys() {
        // Resilience4j would lower it to the window size without a word, and the run's record would keep 500
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> breakers(Map.of("sliding_window_size", 10, "minimum_calls", 500)));
        assertEquals("parameter 'minimum_calls' (500) must be at most 'sliding_window_size' (10): the count-based "
                + "window never holds more calls", e.getMessage());
    }

    @Test
    void opensAReplicasBreakerAfterFailuresAndLeavesTheOthersClosed() {
        var breakers = breakers(SMALL);
        // given: replica 0 fails 4 times in a row (100% of a full window)
        long last = ends(breakers, 0, Result.CRASHED, 4, 1000, 20);
        // then: replica 0 is open, replica 1 closed
        assertEquals(State.OPEN, breakers.state(0));
        assertFalse(breakers.allows(0, at(last + 1)));
        assertTrue(breakers.allows(1, at(last + 1)));
    }

    @Test
    void halfOpensOnlyAfterTheWaitOnTheRunsClock() {
        var breakers = breakers(SMALL);
        long opened = ends(breakers, 0, Result.TIMED_OUT, 4, 1000, 30_000);
        // then: still out a millisecond before the 10 s wait ends (no wall time passes in this test)
        assertFalse(breakers.allows(0, at(opened + 9_999)));
        // and after the wait, asking half-opens it and lets attempts through
        assertTrue(breakers.allows(0, at(opened + 10_001)));
        assertEquals(State.HALF_OPEN, breakers.state(0));
    }

    @Test
    void closesWhenTheHalfOpenCallsSucceedAndReopensWhenTheyFail() {
        var breakers = breakers(SMALL);
        long opened = ends(breakers, 0, Result.CRASHED, 4, 1000, 5);
        assertTrue(breakers.allows(0, at(opened + 11_000)));
        // when: the 2 permitted half-open calls answer, then: closed
        ends(breakers, 0, Result.ANSWERED, 2, opened + 11_000, 5);
        assertEquals(State.CLOSED, breakers.state(0));
        // given another outage: reopens, half-opens, and the half-open calls fail: open again
        long again = ends(breakers, 0, Result.CRASHED, 4, opened + 20_000, 5);
        assertTrue(breakers.allows(0, at(again + 11_000)));
        ends(breakers, 0, Result.UNREACHABLE, 2, again + 11_000, 5);
        assertEquals(State.OPEN, breakers.state(0));
        assertFalse(breakers.allows(0, at(again + 13_000)));
    }

    @Test
    void slowAnswersOpenTheBreakerOnlyWithSlowCallDetectionOn() {
        // given: 4 answers of 2 minutes each
        var off = breakers(SMALL);
        ends(off, 0, Result.ANSWERED, 4, 1000, 120_000);
        assertEquals(State.CLOSED, off.state(0));
        var params = new java.util.HashMap<>(SMALL);
        params.put("slow_call_ms", 60_000);
        var on = breakers(params);
        ends(on, 0, Result.ANSWERED, 4, 1000, 120_000);
        // then: with a 60 s slow-call threshold they are slow calls, and 100% slow opens it
        assertEquals(State.OPEN, on.state(0));
    }

    @Test
    void theRunClockNeverGoesBackwards() {
        var clock = new RunClock();
        clock.advanceTo(5_000_000_000L);
        clock.advanceTo(1_000_000_000L);
        assertEquals(5_000, clock.millis());
        assertEquals(java.time.Instant.ofEpochSecond(5), clock.instant());
    }
}

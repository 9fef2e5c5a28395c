package servelab.plugins.resilience.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.resilience.AttemptEnd.Result;
import servelab.api.resilience.RetryPolicy;
import servelab.testkit.AttemptEnds;
import servelab.testkit.GatewaySnapshot;
import servelab.testkit.RetryContractTest;
import servelab.testkit.TinyEngine;

class BackoffRetryTest {
    private static final BackoffRetry FACTORY = new BackoffRetry();
    private static final GatewaySnapshot GATEWAY = GatewaySnapshot.idle(4).withLive(10, 0, 0);

    private static RetryPolicy retry(Map<String, ?> params) {
        return TinyEngine.create(FACTORY, params);
    }

    @Nested
    class Contract extends RetryContractTest {
        @Override protected PluginFactory<RetryPolicy> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("max_attempts", 1), Map.of("max_attempts", 1000, "base_ms", 1, "cap_ms", 86_400_000),
                    Map.of("retry_on", "timed_out"));
        }
    }

    @Test
    void eachDelayIsBelowItsCeilingAndTheCeilingDoublesUpToTheCap() {
        // given: base 100 ms, cap 1 s, many attempts
        var policy = retry(Map.of("base_ms", 100, "cap_ms", 1000, "max_attempts", 50));
        long[] ceilingMs = {100, 200, 400, 800, 1000, 1000, 1000};
        for (int attempt = 0; attempt < ceilingMs.length; attempt++) {
            long highest = 0;
            long lowest = Long.MAX_VALUE;
            // when: 2000 failures of this attempt number with different seeds
            for (long seed = 0; seed < 2000; seed++) {
                var d = (RetryPolicy.Retry) policy.onFailure(AttemptEnds.of(1, attempt, 0, Result.CRASHED, 0, 5, seed), GATEWAY);
                highest = Math.max(highest, d.delayNanos());
                lowest = Math.min(lowest, d.delayNanos());
            }
            // then: every delay in [0, ceiling), and the draws fill it (full jitter: near 0 and near the ceiling)
            long ceiling = ceilingMs[attempt] * 1_000_000L;
            assertTrue(highest < ceiling && highest > ceiling * 0.99, "attempt " + attempt + ": highest " + highest);
            assertTrue(lowest < ceiling * 0.01, "attempt " + attempt + ": lowest " + lowest);
        }
    }

    @Test
    void theSameSeedGivesTheSameDelayAndAnotherSeedAnother() {
        var a = retry(Map.of());
        var b = retry(Map.of());
        var end = AttemptEnds.of(3, 1, 2, Result.TIMED_OUT, 0, 30_000, 42);
        // then: two instances, asked in any order, agree; the seed alone decides
        assertEquals(b.onFailure(end, GATEWAY), a.onFailure(end, GATEWAY));
        assertNotEquals(a.onFailure(end, GATEWAY), a.onFailure(AttemptEnds.of(3, 1, 2, Result.TIMED_OUT, 0, 30_000, 43), GATEWAY));
    }

    @Test
    void givesUpAfterMaxAttemptsCountingTheFirst() {
        var policy = retry(Map.of("max_attempts", 3));
        assertInstanceOf(RetryPolicy.Retry.class, policy.onFailure(AttemptEnds.of(1, 0, 0, Result.CRASHED, 0, 1, 7), GATEWAY));
        assertInstanceOf(RetryPolicy.Retry.class, policy.onFailure(AttemptEnds.of(1, 1, 0, Result.CRASHED, 0, 1, 7), GATEWAY));
        // then: the third attempt's failure ends the request
        assertEquals(new RetryPolicy.GiveUp("3 attempts failed (max_attempts 3)"),
                policy.onFailure(AttemptEnds.of(1, 2, 0, Result.CRASHED, 0, 1, 7), GATEWAY));
    }

    @Test
    void retriesOnlyTheFailuresRetryOnNames() {
        var policy = retry(Map.of("retry_on", "crashed, unreachable"));
        assertInstanceOf(RetryPolicy.Retry.class, policy.onFailure(AttemptEnds.of(1, 0, 0, Result.UNREACHABLE, 0, 1, 7), GATEWAY));
        assertEquals(new RetryPolicy.GiveUp("timed_out is not retried (retry_on: crashed,unreachable)"),
                policy.onFailure(AttemptEnds.of(1, 0, 0, Result.TIMED_OUT, 0, 1, 7), GATEWAY));
    }

    @Test
    void aRetryOnEntryThatIsNoFailureIsAnErrorNamingTheKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> retry(Map.of("retry_on", "crashed,answered")));
        assertEquals("parameter 'retry_on' names 'answered', which is not a failure; accepted: crashed, unreachable,"
                + " no_replica, timed_out", e.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> retry(Map.of("retry_on", " , ")));
        assertEquals("parameter 'retry_on' names no failure; accepted: crashed, unreachable, no_replica, timed_out"
                + " (for no retries, use the retry plugin 'none')", empty.getMessage());
    }

    @Test
    void aHugeAttemptNumberStaysAtTheCapWithoutOverflow() {
        var backoff = new FullJitterBackoff(10_000, 100_000_000L, 5_000_000_000L, FullJitterBackoff.results("crashed"));
        assertEquals(5_000_000_000L, backoff.ceilingNanos(9_999));
        assertEquals(100_000_000L, backoff.ceilingNanos(0));
    }
}

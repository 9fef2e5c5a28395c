package servelab.plugins.resilience.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

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

class BudgetedRetryTest {
    private static final BudgetedRetry FACTORY = new BudgetedRetry();

    private static RetryPolicy budget(Map<String, ?> params) {
        return TinyEngine.create(FACTORY, params);
    }

    @Nested
    class Contract extends RetryContractTest {
        @Override protected PluginFactory<RetryPolicy> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("budget_percent", 0, "min_retry_concurrency", 1),
                    Map.of("budget_percent", 100, "max_attempts", 10));
        }
    }

    @Test
    void aBudgetThatAllowsNoRetryIsRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> budget(Map.of("budget_percent", 0, "min_retry_concurrency", 0)));
        // phrased "parameter 'NAME'", as the host keys a plugin's own refusal (else it read as a plugin crash)
        assertEquals("parameter 'budget_percent' is 0 and so is min_retry_concurrency, which allows no retry; for no"
                + " retries, use the retry plugin 'none'", e.getMessage());
    }

    @Test
    void refusesARetryOnceRetriesInFlightReachTwentyPercentOfLiveRequests() {
        var policy = budget(Map.of());
        var failed = AttemptEnds.of(9, 0, 1, Result.CRASHED, 0, 10, 5);
        // given: 100 live requests, so 20 retries may be in flight; 19 are
        assertInstanceOf(RetryPolicy.Retry.class, policy.onFailure(failed, GatewaySnapshot.idle(4).withLive(100, 19, 0)));
        // when: 20 are in flight, then: the request gives up, saying why
        assertEquals(new RetryPolicy.GiveUp("retry budget exhausted: 20 retries in flight, limit 20 = max(3, 20.0% of"
                + " 100 live requests)"), policy.onFailure(failed, GatewaySnapshot.idle(4).withLive(100, 20, 0)));
    }

    @Test
    void minRetryConcurrencyAllowsRetriesWhenFewRequestsAreLive() {
        var policy = budget(Map.of("min_retry_concurrency", 3));
        var failed = AttemptEnds.of(9, 0, 1, Result.TIMED_OUT, 0, 10, 5);
        // given: 5 live requests (20% is 1), but 3 retries are always allowed
        assertInstanceOf(RetryPolicy.Retry.class, policy.onFailure(failed, GatewaySnapshot.idle(4).withLive(5, 2, 0)));
        assertInstanceOf(RetryPolicy.GiveUp.class, policy.onFailure(failed, GatewaySnapshot.idle(4).withLive(5, 3, 0)));
    }

    @Test
    void withinTheBudgetItDelaysExactlyAsRetry() {
        var budgeted = budget(Map.of("base_ms", 50, "cap_ms", 400));
        var plain = TinyEngine.create(new BackoffRetry(), Map.of("base_ms", 50, "cap_ms", 400));
        var gateway = GatewaySnapshot.idle(2).withLive(50, 0, 0);
        for (int attempt = 0; attempt < 2; attempt++) {
            var end = AttemptEnds.of(4, attempt, 0, Result.CRASHED, 0, 1, 1234 + attempt);
            assertEquals(plain.onFailure(end, gateway), budgeted.onFailure(end, gateway), "attempt " + attempt);
        }
    }
}

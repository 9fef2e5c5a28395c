package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.RetryPolicy;

/**
 * What every retry policy promises, on seeded random failed attempts and gateway views (no live requests, more
 * retries in flight than requests, an empty latency window): a decision for every failure, the same decisions from
 * two fresh instances (jitter comes from {@link AttemptEnd#seed()}, so a run replays), and a request stops being
 * retried after finitely many attempts, so every request ends.
 */
public abstract class RetryContractTest extends PluginContract<RetryPolicy> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.RETRY;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void decidesEveryFailedAttempt(long seed) {
        for (var params : parameterSets()) {
            var policy = create(params);
            var random = new SplittableRandom(seed);
            long now = 0;
            for (int call = 0; call < 300; call++) {
                now += random.nextLong(1_000_000_000L);
                var gateway = GatewaySnapshot.random(random, now);
                var failed = AttemptEnds.randomFailure(random, now, gateway.replicas());
                var decision = policy.onFailure(failed, gateway);
                assertNotNull(decision, params + ", call " + call + ": " + failed);
                if (decision instanceof RetryPolicy.Retry(long delay)) { // the engine takes at most a day
                    assertTrue(delay <= HedgeContractTest.DAY_NANOS, params + ", call " + call + ": retry after "
                            + delay + " ns, more than a day");
                }
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void twoFreshInstancesDecideTheSame(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var random = new SplittableRandom(seed);
            long now = 0;
            for (int call = 0; call < 200; call++) {
                now += random.nextLong(1_000_000_000L);
                var gateway = GatewaySnapshot.random(random, now);
                var failed = AttemptEnds.randomFailure(random, now, gateway.replicas());
                assertEquals(first.onFailure(failed, gateway), second.onFailure(failed, gateway), params + ", call " + call);
            }
        }
    }

    @Test
    void givesUpBeforeTheEnginesThousandthAttemptOnAnIdleGateway() {
        for (var params : parameterSets()) {
            var policy = create(params);
            var gateway = GatewaySnapshot.idle(4).withLive(1, 0, 0);
            boolean gaveUp = false;
            // the engine takes attempt 999 at most (the thousandth): asking for more is the policy's fault (10,000 here)
            for (int attempt = 0; attempt < 1000 && !gaveUp; attempt++) {
                var failed = AttemptEnds.of(7, attempt, 0, AttemptEnd.Result.CRASHED, attempt, 1, 99L * attempt);
                gaveUp = policy.onFailure(failed, gateway) instanceof RetryPolicy.GiveUp;
            }
            assertTrue(gaveUp, params + ": still retrying a request after 1,000 failed attempts");
        }
    }
}

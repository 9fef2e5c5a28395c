package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.resilience.Breaker;

/**
 * What every breaker promises, on seeded random streams of attempt ends (answers, crashes, timeouts, on 1 to 64
 * replicas, time moving forward): it answers for every replica without failing; two fresh instances fed the same
 * stream answer the same; and no replica is shut out for good: an hour of the run's clock after the last end,
 * every replica is allowed again (a breaker half-opens, an ejection expires).
 */
public abstract class BreakerContractTest extends PluginContract<Breaker> {
    private static final long HOUR_NANOS = 3_600_000_000_000L;

    @Override
    protected final PluginKind kind() {
        return PluginKind.BREAKER;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void allowsEveryReplicaAgainAnHourAfterTheLastEnd(long seed) {
        for (var params : parameterSets()) {
            var breaker = create(params);
            var random = new SplittableRandom(seed);
            var gateway = GatewaySnapshot.random(random, 0);
            long now = feed(breaker, random, gateway, 500);
            var later = gateway.at(now + HOUR_NANOS);
            for (int r = 0; r < gateway.replicas(); r++) {
                assertTrue(breaker.allows(r, later), params + ": replica " + r + " of " + gateway.replicas()
                        + " still shut out an hour after the last end");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void twoFreshInstancesFedTheSameEndsAnswerTheSame(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var a = new SplittableRandom(seed);
            var b = new SplittableRandom(seed);
            var gateway = GatewaySnapshot.random(a, 0);
            GatewaySnapshot.random(b, 0);
            long now = 0;
            for (int round = 0; round < 40; round++) {
                now = Math.max(feedFrom(first, a, gateway, now, 10), feedFrom(second, b, gateway, now, 10));
                var at = gateway.at(now);
                for (int r = 0; r < gateway.replicas(); r++) {
                    assertEquals(first.allows(r, at), second.allows(r, at), params + ", round " + round + ", replica " + r);
                }
            }
        }
    }

    /** Feeds {@code ends} random ends from time 0, asking about random replicas between them; the last time. */
    private static long feed(Breaker breaker, SplittableRandom random, GatewaySnapshot gateway, int ends) {
        return feedFrom(breaker, random, gateway, 0, ends);
    }

    private static long feedFrom(Breaker breaker, SplittableRandom random, GatewaySnapshot gateway, long from, int ends) {
        long now = from;
        for (int i = 0; i < ends; i++) {
            now += random.nextLong(2_000_000_000L);
            var at = gateway.at(now);
            breaker.allows(random.nextInt(gateway.replicas()), at);
            breaker.onEnd(AttemptEnds.randomToReplica(random, now, gateway.replicas()), at);
        }
        return now;
    }
}

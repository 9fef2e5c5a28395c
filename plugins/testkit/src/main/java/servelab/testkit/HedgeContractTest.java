package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.resilience.HedgePolicy;

/**
 * What every hedge policy promises, on seeded random requests and gateway views (an empty latency window, no live
 * requests, latencies of minutes): the answer is {@link HedgePolicy#NEVER} or a delay of zero or more, and two
 * fresh instances answer the same.
 */
public abstract class HedgeContractTest extends PluginContract<HedgePolicy> {
    /** The longest delay the engine takes from a hedge or retry policy. */
    static final long DAY_NANOS = 86_400_000_000_000L;


    @Override
    protected final PluginKind kind() {
        return PluginKind.HEDGE;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void answersNeverOrADelayOfZeroOrMore(long seed) {
        for (var params : parameterSets()) {
            var policy = create(params);
            var random = new SplittableRandom(seed);
            var requests = new FakeCluster(seed);
            long now = 0;
            for (int call = 0; call < 300; call++) {
                now += random.nextLong(1_000_000_000L);
                var gateway = GatewaySnapshot.random(random, now);
                long after = policy.hedgeAfterNanos(requests.request(), gateway);
                // the engine takes at most a day (more is the policy's fault, and stops a run with nothing to go back to)
                assertTrue(after == HedgePolicy.NEVER || after >= 0 && after <= DAY_NANOS, params + ", call " + call
                        + ", " + gateway + ": hedge after " + after + " ns (NEVER, or 0 to a day)");
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void twoFreshInstancesAnswerTheSame(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var random = new SplittableRandom(seed);
            var requests = new FakeCluster(seed);
            long now = 0;
            for (int call = 0; call < 200; call++) {
                now += random.nextLong(1_000_000_000L);
                var gateway = GatewaySnapshot.random(random, now);
                var request = requests.request();
                assertEquals(first.hedgeAfterNanos(request, gateway), second.hedgeAfterNanos(request, gateway),
                        params + ", call " + call);
            }
        }
    }
}

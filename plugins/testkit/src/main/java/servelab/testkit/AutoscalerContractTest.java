package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.scale.Autoscaler;

/**
 * What every autoscaler promises, on seeded random fleets (nothing serving, every replica starting, utilisation 0
 * or 1, no TTFT samples, a queue of a million): a count of zero or more for every interval, the same counts from
 * two fresh instances, and an idle fleet (no arrivals, no queue, no work, no samples) is never asked to grow.
 */
public abstract class AutoscalerContractTest extends PluginContract<Autoscaler> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.AUTOSCALER;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void namesZeroOrMoreReplicasForEveryFleet(long seed) {
        for (var params : parameterSets()) {
            var autoscaler = create(params);
            var random = new SplittableRandom(seed);
            long now = 0;
            for (int call = 0; call < 300; call++) {
                now += 1_000_000_000L * (1 + random.nextInt(30));
                var fleet = FleetSnapshot.random(random, now);
                int desired = autoscaler.desiredReplicas(fleet);
                assertTrue(desired >= 0, params + ", call " + call + ", " + fleet + ": desired " + desired);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void twoFreshInstancesNameTheSameCounts(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var random = new SplittableRandom(seed);
            long now = 0;
            for (int call = 0; call < 200; call++) {
                now += 1_000_000_000L * (1 + random.nextInt(30));
                var fleet = FleetSnapshot.random(random, now);
                assertEquals(first.desiredReplicas(fleet), second.desiredReplicas(fleet), params + ", call " + call);
            }
        }
    }

    @ParameterizedTest(name = "{0} serving")
    @ValueSource(ints = {1, 2, 8})
    void neverGrowsAnIdleFleet(int serving) {
        for (var params : parameterSets()) {
            var autoscaler = create(params);
            var fleet = FleetSnapshot.steady(serving);
            for (int interval = 0; interval < 60; interval++) {
                var at = fleet.atSeconds(10.0 * interval);
                int desired = autoscaler.desiredReplicas(at);
                assertTrue(desired <= serving, params + ", interval " + interval + ": an idle fleet of " + serving
                        + " asked for " + desired);
            }
        }
    }
}

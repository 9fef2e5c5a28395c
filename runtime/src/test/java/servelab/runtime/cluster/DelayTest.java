package servelab.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** A drawn delay stays within the bound of every time key, whatever the distribution's tail. */
class DelayTest {
    @Test
    void heavyTailsAreCutAtTheLongestDelay() {
        var random = new SplittableRandom(1);
        // a median of 1e12 ms with sigma 10, and an exponential of that mean: draws past a long of ns were cast to
        // Long.MAX_VALUE, and the arrival plus the delay overflowed
        var lognormal = new Delay.LogNormal(1e18, 10);
        var exponential = new Delay.Exponential(1_000_000_000_000_000_000L, 1e18);
        for (int i = 0; i < 10_000; i++) {
            long a = lognormal.sampleNanos(random), b = exponential.sampleNanos(random);
            assertTrue(a >= 0 && a <= Delay.MAX_NANOS, "lognormal " + a);
            assertTrue(b >= 0 && b <= 2 * Delay.MAX_NANOS, "exponential " + b);
        }
    }
}

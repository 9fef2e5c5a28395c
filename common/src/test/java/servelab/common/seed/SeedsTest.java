package servelab.common.seed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The derivations are pinned: recorded runs depend on every bit of them, so these values (computed with the
 * formulas the call sites used before they moved here) must never change.
 */
class SeedsTest {
    @Test
    void derivationsKeepTheirRecordedValues() {
        assertEquals(0xF519F86EE2385B72L, Seeds.ofRequest(42, 0), "seed 42, request 0");
        var random = new SplittableRandom(7);
        for (int i = 0; i < 1_000; i++) {
            long seed = random.nextLong(), request = random.nextLong(1 << 20);
            int position = random.nextInt(1 << 16);
            assertEquals(seed * 0x9E3779B97F4A7C15L + request, Seeds.ofRequest(seed, request));
            assertEquals(seed * 0x9E3779B97F4A7C15L + request * 0xC2B2AE3D27D4EB4FL + position,
                    Seeds.ofToken(seed, request, position));
            assertEquals(seed * 0x9E3779B97F4A7C15L ^ request * 0xC2B2AE3D27D4EB4FL ^ (long) position << 20,
                    Seeds.ofVerification(seed, request, position));
            assertEquals(seed ^ (request * 0x9E3779B97F4A7C15L), Seeds.ofPluginRequest(seed, request));
        }
        assertEquals(0xE220A8397B1DCDAFL, Seeds.ofStream(0, 1), "SplitMix64's first output for seed 0");
    }

    @Test
    void streamsOfNeighbouringKeysDiffer() {
        var tokens = new HashSet<Long>();
        var verifications = new HashSet<Long>();
        for (long request = 0; request < 100; request++) {
            for (int position = 0; position < 100; position++) {
                tokens.add(Seeds.ofToken(1, request, position));
                verifications.add(Seeds.ofVerification(1, request, position));
            }
        }
        assertEquals(100 * 100, tokens.size());
        assertEquals(100 * 100, verifications.size());
        assertNotEquals(Seeds.ofStream(1, 0), Seeds.ofStream(1, 1));
    }
}

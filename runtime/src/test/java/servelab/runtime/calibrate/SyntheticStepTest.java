package servelab.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;

import org.junit.jupiter.api.Test;

import servelab.runtime.calibrate.GridPoint.Decode;
import servelab.runtime.calibrate.GridPoint.Prefill;
import servelab.runtime.engine.TokenSpace;

/** Designed steps take their KV blocks from a scattered order of the pool, not the pool's first blocks. */
class SyntheticStepTest {
    private static final TokenSpace TOKENS = new TokenSpace(3, 500);

    @Test
    void aStepsBlocksFollowTheScatteredOrderAndAreDistinct() {
        int pool = 1000;
        var order = SyntheticStep.scattered(pool, 7);
        var step = new SyntheticStep(GridPoint.of(new Decode(100), new Prefill(64, 32)), 16, TOKENS, 2, order);
        // decode of context 100 (+1 token) needs 7 blocks; a 64-token prefill after 32 cached needs 6
        assertEquals(7, step.blockCount(0));
        assertEquals(6, step.blockCount(1));
        var used = new HashSet<Integer>();
        int k = 0;
        for (int i = 0; i < step.size(); i++) {
            for (int b : step.blockTable(i)) {
                assertEquals(order[k++], b);
                assertTrue(b >= 0 && b < pool);
                used.add(b);
            }
        }
        assertEquals(13, used.size(), "every block of the step is its own");
        // the blocks are not the pool's first ones, which every step used to share (and the caches kept)
        assertNotEquals(Arrays.toString(new int[] {0, 1, 2, 3, 4, 5, 6}), Arrays.toString(step.blockTable(0)));
        // swaps copy the step's first blocks out and into the two blocks after its own
        assertEquals(order[0], step.swapOutDevice(0));
        assertEquals(order[13], step.swapInDevice(0));
        assertEquals(order[14], step.swapInDevice(1));
    }

    @Test
    void theOrderIsAPermutationOfThePoolAndDependsOnTheSeed() {
        var a = SyntheticStep.scattered(300, 1);
        var sorted = a.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i]);
        assertEquals(Arrays.toString(a), Arrays.toString(SyntheticStep.scattered(300, 1)));
        assertNotEquals(Arrays.toString(a), Arrays.toString(SyntheticStep.scattered(300, 2)));
    }

    @Test
    void aStepLargerThanItsOrderIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SyntheticStep(GridPoint.of(new Decode(100)), 16, TOKENS, 0, SyntheticStep.scattered(4, 1)));
        assertTrue(e.getMessage().contains("needs 7 blocks"), e.getMessage());
    }
}

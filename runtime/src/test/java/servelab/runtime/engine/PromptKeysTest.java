package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;

/** Block keys computed from a prompt's ids outside the engine (the serving front's router) equal the replica's own. */
class PromptKeysTest {
    @Test
    void theKeysOfAPromptsIdsAreTheKeysASequenceHoldingThemComputes() {
        var random = new SplittableRandom(3);
        for (int length : new int[] {1, 15, 16, 17, 64, 130}) {
            var ids = random.ints(length, 0, 32_000).toArray();
            var seq = new Sequence(TraceRequest.of(7, 0, length, 4), 0);
            seq.promptIds = ids;
            var tokens = new SeqTokens(seq, 16);
            var expected = new long[length / 16];
            for (int i = 0; i < expected.length; i++) expected[i] = tokens.key(i);
            assertArrayEquals(expected, SeqTokens.promptKeys(ids, 16), "length " + length);
            assertEquals(length / 16, SeqTokens.promptKeys(ids, 16).length);
        }
    }
}

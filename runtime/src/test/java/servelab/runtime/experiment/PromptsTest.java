package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;
import servelab.runtime.engine.TokenSpace;

class PromptsTest {
    private static final TokenSpace SPACE = new TokenSpace(3, 500);

    @Test
    void repeatedPromptsRepeatTheirPeriodAndStayInTheTokenSpace() {
        var source = Prompts.of(new PromptsSpec("repeated", 32), 7, SPACE);
        int[] ids = source.tokens(TraceRequest.of(4, 0, 100, 5));
        assertEquals(100, ids.length);
        for (int i = 32; i < ids.length; i++) assertEquals(ids[i - 32], ids[i], "position " + i);
        assertTrue(Arrays.stream(ids).allMatch(t -> t >= 3 && t < 503));
        assertTrue(new HashSet<>(Arrays.stream(ids, 0, 32).boxed().toList()).size() > 20, "the block itself is random");
        assertNotEquals(Arrays.toString(ids), Arrays.toString(source.tokens(TraceRequest.of(5, 0, 100, 5))),
                "each request has its own block");
        assertEquals(Arrays.toString(ids), Arrays.toString(source.tokens(TraceRequest.of(4, 0, 100, 5))), "seeded");
    }

    @Test
    void randomPromptsDoNotRepeatAndSyntheticOnesAreLeftToTheEngine() {
        int[] ids = Prompts.of(new PromptsSpec("random", null), 7, SPACE).tokens(TraceRequest.of(1, 0, 400, 5));
        assertTrue(new HashSet<>(Arrays.stream(ids).boxed().toList()).size() > 250);
        assertNull(Prompts.of(PromptsSpec.SYNTHETIC, 7, SPACE).tokens(TraceRequest.of(1, 0, 40, 5)));
    }

    @Test
    void anUnknownKindNamesTheAcceptedOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new PromptsSpec("lorem", null));
        var zero = assertThrows(IllegalArgumentException.class, () -> new PromptsSpec("repeated", 0));
        assertEquals("prompts.period must be >= 1, was 0", zero.getMessage()); // it became 64 silently
        assertEquals("prompts.kind 'lorem' is unknown; accepted: synthetic, repeated, random", e.getMessage());
    }
}

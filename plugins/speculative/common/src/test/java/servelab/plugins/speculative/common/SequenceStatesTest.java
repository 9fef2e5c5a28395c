package servelab.plugins.speculative.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SequenceStatesTest {

    @Test
    void givesASequenceTheSameStateFromCallToCall() {
        var states = new SequenceStates<>(4, id -> new StringBuilder("seq " + id));
        states.beginCall();
        var first = states.get(7);
        states.beginCall();
        // then: same object, created once
        assertSame(first, states.get(7));
        assertEquals("seq 7", first.toString());
        assertEquals(1, states.size());
    }

    @Test
    void forgetsAStateUnaskedForAWholeWindowAndCreatesAFreshOneOnReturn() {
        var states = new SequenceStates<>(4, id -> new Object());
        states.beginCall();                      // call 1
        var old = states.get(1);
        states.get(2);
        for (int call = 2; call <= 4; call++) {  // calls 2-4: only sequence 2 comes
            states.beginCall();
            states.get(2);
        }
        // then: the sweep at call 4 keeps 1 (last asked for at call 1, 3 calls ago)
        assertEquals(2, states.size());
        for (int call = 5; call <= 8; call++) {
            states.beginCall();
            states.get(2);
        }
        // then: the sweep at call 8 drops 1 (7 calls unasked), and a returning 1 starts afresh
        assertEquals(1, states.size());
        assertNotSame(old, states.get(1));
    }

    /** Property: after every call, exactly the ids asked for since the last sweep's window are held. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void holdsExactlyTheStatesOfTheCurrentWindow(long seed) {
        var random = new Random(seed);
        int window = 1 + random.nextInt(16);
        var created = new AtomicLong();
        var states = new SequenceStates<>(window, id -> new long[] {id, created.incrementAndGet()});
        var lastAsked = new HashMap<Long, Integer>();
        var trace = new StringBuilder("seed " + seed + ", window " + window + ":");
        for (int call = 1; call <= 400; call++) {
            states.beginCall();
            if (call % window == 0) {
                final int now = call;
                lastAsked.values().removeIf(c -> c <= now - window);
            }
            int asks = random.nextInt(40);
            for (int i = 0; i < asks; i++) {
                long id = random.nextInt(300) * 1_000_003L - 5;
                trace.append(' ').append(call).append(':').append(id);
                var state = states.get(id);
                assertEquals(id, state[0], trace::toString);
                lastAsked.put(id, call);
            }
            assertEquals(lastAsked.size(), states.size(), trace::toString);
        }
    }
}

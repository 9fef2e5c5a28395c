package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

class SloTest {

    @Test
    void parsesKeysInAnyOrder() {
        var slo = Slo.parse("e2el=2000, ttft=200,tpot=50");
        assertEquals(new Slo(OptionalDouble.of(200), OptionalDouble.of(50), OptionalDouble.of(2000)), slo);
        assertEquals("ttft=200,tpot=50,e2el=2000", slo.toString());
    }

    @Test
    void blankTextMeansNoObjectives() {
        assertTrue(Slo.parse(" ").isEmpty());
        assertEquals("", Slo.NONE.toString());
    }

    @Test
    void anUnknownKeyIsNamedWithTheAcceptedOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Slo.parse("ttft=200,itl=5"));
        assertEquals("unknown SLO key 'itl' in 'ttft=200,itl=5'; accepted keys: ttft, tpot, e2el (milliseconds)",
                e.getMessage());
    }

    @Test
    void aBadValueIsNamedWithItsKey() {
        var e = assertThrows(IllegalArgumentException.class, () -> Slo.parse("tpot=fast"));
        assertEquals("SLO 'tpot' needs a number of milliseconds >= 0, was 'fast'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Slo.parse("ttft=-1"));
        assertThrows(IllegalArgumentException.class, () -> Slo.parse("ttft=1,ttft=2"));
        assertThrows(IllegalArgumentException.class, () -> Slo.parse("ttft"));
    }

    @Test
    void aRequestIsGoodWhenEveryBoundHolds() {
        var slo = Slo.parse("ttft=200,tpot=50");
        assertTrue(slo.isMet(200, 50, 99_999));          // bounds are inclusive; e2el is not bounded
        assertFalse(slo.isMet(201, 10, 0));
        assertTrue(slo.isMet(10, Double.NaN, 0));        // one output token: TPOT counts as 0, as in vLLM
        assertFalse(slo.isMet(Double.NaN, 10, 0));       // no first token: a TTFT bound cannot hold
    }
}

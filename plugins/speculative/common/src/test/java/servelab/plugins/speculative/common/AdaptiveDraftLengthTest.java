package servelab.plugins.speculative.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class AdaptiveDraftLengthTest {

    @Test
    void startsAtTheLargestLengthAndTakesTheFirstTotalsAsItsBaseline() {
        var k = new AdaptiveDraftLength(8);
        // then: optimistic start; totals from before this object existed change nothing
        assertEquals(8, k.tokens());
        assertEquals(8, k.observe(40, 3));
    }

    @Test
    void halvesWhenFewerThanHalfTheDraftIsAccepted() {
        var k = new AdaptiveDraftLength(8);
        k.observe(0, 0);
        // when: 8 drafted, 3 accepted (3 < 4), then 4 drafted, 0 accepted, and so on down to the floor
        assertEquals(4, k.observe(8, 3));
        assertEquals(2, k.observe(12, 3));
        assertEquals(1, k.observe(14, 3));
        // then: never below 1
        assertEquals(1, k.observe(15, 3));
    }

    @Test
    void growsByOneOnFullAcceptanceUpToTheLargestLength() {
        var k = new AdaptiveDraftLength(4);
        k.observe(0, 0);
        assertEquals(2, k.observe(4, 0));   // 4 drafted, none accepted: 4 -> 2
        assertEquals(3, k.observe(6, 2));   // 2 of 2: +1
        assertEquals(4, k.observe(9, 5));   // 3 of 3: +1
        assertEquals(4, k.observe(13, 9));  // 4 of 4: already at the cap
    }

    @Test
    void keepsItsLengthWhenHalfOrMoreButNotAllIsAccepted() {
        var k = new AdaptiveDraftLength(6);
        k.observe(0, 0);
        assertEquals(6, k.observe(6, 3));   // exactly half
        assertEquals(6, k.observe(12, 8));  // 5 of 6
    }

    @Test
    void changesNothingWithoutANewVerification() {
        var k = new AdaptiveDraftLength(6);
        k.observe(0, 0);
        assertEquals(3, k.observe(6, 0));
        // when: the totals have not moved (no draft was verified since)
        assertEquals(3, k.observe(6, 0));
        assertEquals(3, k.observe(6, 0));
    }

    @Test
    void totalsThatGoBackAreTakenAsANewBaseline() {
        var k = new AdaptiveDraftLength(6);
        k.observe(10, 10);
        assertEquals(6, k.observe(2, 0));   // not a verification of 8 negative tokens
        assertEquals(3, k.observe(8, 0));   // counted from the new baseline: 6 drafted, 0 accepted
    }

    @Test
    void rejectsALargestLengthBelowOne() {
        var e = assertThrows(IllegalArgumentException.class, () -> new AdaptiveDraftLength(0));
        assertEquals("AdaptiveDraftLength.maxTokens must be >= 1, was 0", e.getMessage());
    }
}

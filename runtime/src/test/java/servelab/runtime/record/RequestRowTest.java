package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RequestRowTest {

    @Test
    void tokenTimesMustMatchOutputTokensOrBeAbsent() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RequestRow(3, 0, "t", 0, 0, 0, 5, 9, 4, 3, 0,
                0, new long[] {5, 9}, 0, 0, 0, ""));
        assertEquals("RequestRow.tokenTimesNanos must have outputTokens (3) entries, or none when not recorded; had 2"
                + " (request 3)", e.getMessage());
        // no times at all is allowed: an importer of a tool that does not report them
        new RequestRow(3, 0, "t", 0, 0, 0, 5, 9, 4, 3, -1, -1, new long[0], -1, -1, -1, "");
    }

    @Test
    void tokenTimesMustNotGoBackwards() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RequestRow(1, 0, "t", 0, 0, 0, 5, 9, 4, 3, 0,
                0, new long[] {5, 8, 7}, 0, 0, 0, ""));
        assertTrue(e.getMessage().contains("token 2 at 7 ns is before token 1 at 8 ns"), e.getMessage());
    }

    @Test
    void milestonesMustBeInOrder() {
        // first token (4) before first schedule (6)
        var e = assertThrows(IllegalArgumentException.class, () -> new RequestRow(1, 0, "t", 0, 2, 6, 4, 9, 4, 0, 0,
                0, new long[0], 0, 0, 0, ""));
        assertTrue(e.getMessage().startsWith("RequestRow.firstTokenNanos must be -1 (never reached) or >="),
                e.getMessage());
    }

    @Test
    void aRequestWithoutErrorMustHaveCompleted() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RequestRow(1, 0, "t", 0, 0, -1, -1, -1, 4, 0,
                0, 0, new long[0], 0, 0, 0, ""));
        assertTrue(e.getMessage().startsWith("RequestRow.completionNanos must be >= 0 for a request without error"),
                e.getMessage());
    }

    @Test
    void acceptedDraftTokensCannotExceedProposedOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> new RequestRow(1, 0, "t", 0, 0, 0, 1, 2, 4, 0, 0,
                0, new long[0], 2, 4, 5, ""));
        assertTrue(e.getMessage().contains("specAcceptedTokens must be <= specDraftTokens (4), was 5"), e.getMessage());
    }

    @Test
    void rowsWithEqualTokenTimesAreEqual() {
        assertEquals(Rows.ok(1, 0, 5, 6), Rows.ok(1, 0, 5, 6));
    }

    @Test
    void eventTypeMustBeKnown() {
        var e = assertThrows(IllegalArgumentException.class, () -> new EventRow(0, 0, 0, "crash", "", "", "", ""));
        assertEquals("EventRow.type must be one of fault, fault-end, fault-start, info, preempt, replica, scale, swap, "
                + "was 'crash'", e.getMessage());
    }

    @Test
    void iterationCannotUseMoreBlocksThanItHas() {
        var e = assertThrows(IllegalArgumentException.class, () -> new IterationRow(0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1,
                17, 16, 0, 0, 0, 0, 0, 0, 0, "s@1", "b@1"));
        assertEquals("IterationRow.kvBlocksTotal must be >= 17, was 16", e.getMessage());
    }
}

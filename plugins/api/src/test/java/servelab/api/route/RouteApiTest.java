package servelab.api.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

class RouteApiTest {

    @Test
    void blockHashesViewTheArrayWithoutCopying() {
        long[] hashes = {11, 22, 33};
        var blocks = BlockHashes.of(512, hashes);
        hashes[1] = 99; // the view reads the caller's array: nothing is copied per decision
        assertEquals(3, blocks.count());
        assertEquals(512, blocks.blockTokens());
        assertEquals(99, blocks.hash(1));
        assertEquals(0, BlockHashes.NONE.count());
        assertThrows(IllegalArgumentException.class, () -> BlockHashes.of(0, 1L));
    }

    @Test
    void degradeNeedsACapOrAGroupAndAReason() {
        assertEquals(OptionalInt.of(64), Admission.Degrade.capTokens(64, "load").maxOutputTokens());
        assertEquals(Optional.of("small"), Admission.Degrade.toGroup("small", "load").group());
        assertThrows(IllegalArgumentException.class,
                () -> new Admission.Degrade(OptionalInt.empty(), Optional.empty(), "load"));
        assertThrows(IllegalArgumentException.class, () -> Admission.Degrade.capTokens(0, "load"));
        assertThrows(IllegalArgumentException.class, () -> Admission.Degrade.toGroup(" ", "load"));
        assertThrows(IllegalArgumentException.class, () -> Admission.Degrade.capTokens(8, " "));
    }

    @Test
    void viewDefaultsDeriveFromTheOriginalFourMethods() {
        // given: a view written against 1.0.0, with 3 queued requests and 25 of 100 blocks free
        ReplicaView old = new ReplicaView() {
            @Override public int index() { return 2; }
            @Override public int queuedRequests() { return 3; }
            @Override public int freeBlocks() { return 25; }
            @Override public int totalBlocks() { return 100; }
        };
        // then: everything queued counts as waiting, 75% of KV is in use, no prefix is known
        assertEquals(3, old.waitingRequests());
        assertEquals(0.75, old.kvUsage(), 1e-12);
        assertEquals("r2", old.name());
        assertTrue(old.isAvailable());
        assertEquals(PrefixKnowledge.NONE, old.prefixKnowledge());
        assertEquals(0, old.cachedPrefixBlocks(BlockHashes.of(16, 1L, 2L)));
    }
}

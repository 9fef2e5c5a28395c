package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import servelab.api.kv.TokenBlocks;

class HostTierTest {

    /** Blocks of 4 tokens with the given chained keys; {@code salt} changes the tokens but not the keys. */
    private record Blocks(int salt, long... keys) implements TokenBlocks {
        @Override public int count() { return keys.length; }
        @Override public int blockSizeTokens() { return 4; }
        @Override public long key(int index) { return keys[index]; }
        @Override public int token(int index, int offset) { return (int) keys[index] * 31 + offset + salt; }
    }

    private static final Blocks A = new Blocks(0, 100, 101, 102);

    /** A tier whose device has 4 blocks; device block b holds block b of {@code A}. */
    private static HostTier tier(int capacity) {
        var host = new HostTier(capacity, true, 4);
        for (int b = 0; b < 3; b++) host.indexed(b, A, b);
        return host;
    }

    @Test
    void offloadedBlocksAreEvictedLeastRecentlyUsedFirst() {
        // given: 2 slots; device blocks 0 and 1 are evicted (offloaded) in one step
        var host = tier(2);
        host.beginCommit(1);
        assertEquals(0, host.offload(0));
        assertEquals(1, host.offload(1));
        host.endCommit();
        // and a later step reloads block 0 of A: it becomes the most recently used
        host.beginCommit(2);
        assertEquals(0, host.lookup(A, 0));
        host.reload(0);
        host.endCommit();
        // when: device block 2 is evicted with the tier full
        host.beginCommit(3);
        int slot = host.offload(2);
        host.endCommit();
        // then: it takes slot 1, whose block (A's block 1) was used least recently; A's block 0 stays
        assertEquals(1, slot);
        assertEquals(-1, host.lookup(A, 1));
        assertEquals(0, host.lookup(A, 0));
        assertEquals(1, host.lookup(A, 2));
        assertEquals(2, host.cachedBlocks());
        host.checkInvariants(new int[2]);
    }

    @Test
    void slotsOfSwappedOutSequencesAreNeverEvicted() {
        // given: 3 slots: two hold a swapped-out sequence's blocks, one an offloaded block
        var host = tier(3);
        host.beginCommit(1);
        assertEquals(0, host.swapOutSlot());
        assertEquals(1, host.swapOutSlot());
        assertEquals(2, host.offload(0));
        host.endCommit();
        // then: a swap-out may take the offloaded block's slot, but two cannot be had
        host.beginCommit(2);
        assertTrue(host.canSwapOut(1));
        assertFalse(host.canSwapOut(2));
        // and a newer offload replaces the older one, never a swapped block
        assertEquals(2, host.offload(1));
        assertEquals(-1, host.lookup(A, 0));
        host.endCommit();
        // when: a swap preemption takes the last slot, an offload finds no room and is dropped
        host.beginCommit(3);
        assertEquals(2, host.swapOutSlot());
        assertEquals(-1, host.offload(2));
        host.endCommit();
        assertEquals(3, host.used());
        assertEquals(0, host.cachedBlocks());
        host.checkInvariants(new int[] {1, 1, 1});
    }

    @Test
    void aSlotInACopyOfTheStepIsNeitherEvictedNorReusedInIt() {
        // given: one slot, written by an offload in this step
        var host = tier(1);
        host.beginCommit(1);
        assertEquals(0, host.offload(0));
        // then: a second offload in the same step cannot overwrite it, nor can a swap preemption take it
        assertEquals(-1, host.offload(1));
        assertFalse(host.canSwapOut(1));
        host.endCommit();
        // and in the next step it can
        host.beginCommit(2);
        assertTrue(host.canSwapOut(1));
        assertEquals(0, host.swapOutSlot());
        host.endCommit();
        // when: a swap-in reads the slot, it is free only after the step's copies
        host.beginCommit(3);
        host.swapInSlot(0);
        assertFalse(host.canSwapOut(1));
        assertEquals(-1, host.offload(2));
        host.endCommit();
        assertEquals(0, host.used());
        host.checkInvariants(new int[1]);
    }

    @Test
    void aBlockTheTierHoldsIsNotCopiedAgain() {
        // given: A's block 0 offloaded from device block 0
        var host = tier(4);
        host.beginCommit(1);
        assertEquals(0, host.offload(0));
        host.endCommit();
        // when: device block 3 holds the same content (reloaded, then indexed again) and is evicted
        host.indexed(3, A, 0);
        host.beginCommit(2);
        // then: no copy is made; the tier still holds one copy
        assertEquals(-1, host.offload(3));
        host.endCommit();
        assertEquals(1, host.used());
    }

    @Test
    void aKeyCollisionIsNotAHit() {
        // given: A's block 0 offloaded; B has the same keys but other tokens
        var host = tier(2);
        host.beginCommit(1);
        host.offload(0);
        host.endCommit();
        var b = new Blocks(7, 100, 101, 102);
        // then: the tokens are compared, so B finds nothing
        assertEquals(-1, host.lookup(b, 0));
        assertEquals(0, host.lookup(A, 0));
    }

    @Test
    void droppingTheCacheKeepsSwappedBlocks() {
        var host = tier(3);
        host.beginCommit(1);
        host.swapOutSlot();
        host.offload(0);
        host.offload(1);
        host.endCommit();
        // when: the prefix cache is replaced
        host.dropCached();
        // then: offloaded blocks are gone, the swapped block stays
        assertEquals(1, host.used());
        assertEquals(-1, host.lookup(A, 0));
        host.checkInvariants(new int[] {1, 0, 0});
    }

    @Test
    void offloadNeedsAHostTier() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ReplicaConfig(4, 8, 0, true));
        assertEquals("offload needs hostBlocks > 0, was 0", e.getMessage());
    }
}

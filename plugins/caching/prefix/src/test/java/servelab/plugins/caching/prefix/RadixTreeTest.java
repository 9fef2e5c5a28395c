package servelab.plugins.caching.prefix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import servelab.api.kv.PrefixCache;
import servelab.testkit.TestBlocks;

class RadixTreeTest {

    private static TestBlocks seq(int... tokens) {
        return new TestBlocks(4, tokens);
    }

    /** The block ids {@code cache} matches for all of {@code blocks}, from scratch. */
    private static int[] match(PrefixCache cache, TestBlocks blocks) {
        var ids = new int[blocks.count()];
        return Arrays.copyOf(ids, cache.match(blocks, 0, blocks.count(), ids));
    }

    @Test
    void splitsAnEdgeAtTheTokenWhereTwoBlocksDiverge() {
        // given: two first blocks sharing their first two tokens
        var tree = new RadixTree();
        var a = seq(1, 2, 3, 4);
        var b = seq(1, 2, 9, 9);
        // when
        assertTrue(tree.insert(a, 0, 7));
        assertTrue(tree.insert(b, 0, 8));
        // then: root, the shared [1 2], and one leaf each; each sequence finds its own block
        assertEquals(4, tree.nodeCount());
        assertArrayEquals(new int[] {7}, match(tree, a));
        assertArrayEquals(new int[] {8}, match(tree, b));
        assertArrayEquals(new int[] {}, match(tree, seq(1, 2, 3, 5)));
    }

    @Test
    void insertSaysWhenTheContentIsCachedInAnotherBlock() {
        // given: block 0 of a holds [1 2 3 4]
        var tree = new RadixTree();
        tree.insert(seq(1, 2, 3, 4, 5, 6, 7, 8), 0, 5);
        // when: another sequence computed the same first block into block 6
        boolean indexed = tree.insert(seq(1, 2, 3, 4, 9, 9, 9, 9), 0, 6);
        // then: block 6 stays private, and matches still find block 5
        assertFalse(indexed);
        assertArrayEquals(new int[] {5}, match(tree, seq(1, 2, 3, 4)));
    }

    @Test
    void matchStopsAtAnInnerBlockWhoseKvWasEvictedUntilItIsComputedAgain() {
        // given: a three-block sequence in blocks 10, 11, 12
        var tree = new RadixTree();
        var s = seq(1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
        for (int i = 0; i < 3; i++) tree.insert(s, i, 10 + i);
        // when: the middle block is evicted (an eviction policy may pick it before its child)
        tree.evicted(11);
        // then: its node stays as a path without KV, and a match stops there
        assertEquals(4, tree.nodeCount());
        assertArrayEquals(new int[] {10}, match(tree, s));
        // when: a later sequence recomputes that block into block 13, the block below is reachable again
        assertTrue(tree.insert(s, 1, 13));
        assertArrayEquals(new int[] {10, 13, 12}, match(tree, s));
    }

    @Test
    void evictingEveryBlockPrunesTheTreeToItsRoot() {
        // given: two sequences sharing a block, diverging inside their second block
        var tree = new RadixTree();
        var a = seq(1, 1, 1, 1, 2, 2, 3, 3);
        var b = seq(1, 1, 1, 1, 2, 2, 4, 4);
        tree.insert(a, 0, 0);
        tree.insert(a, 1, 1);
        tree.insert(b, 1, 2);
        assertEquals(5, tree.nodeCount()); // root, [1 1 1 1], [2 2], [3 3], [4 4]
        // when: the blocks are evicted leaf first, then the shared one
        tree.evicted(1);
        tree.evicted(2);
        tree.evicted(0);
        // then
        assertEquals(1, tree.nodeCount());
        assertEquals(0, tree.size());
    }

    @Test
    void matchContinuesFromTheBlockTheEngineAlreadyKnows() {
        // given: a two-block sequence in blocks 3 and 4; the engine knows block 0 matched block 3
        var tree = new RadixTree();
        var s = seq(1, 1, 1, 1, 2, 2, 2, 2);
        tree.insert(s, 0, 3);
        tree.insert(s, 1, 4);
        var ids = new int[] {3, -1};
        // when
        int n = tree.match(s, 1, 2, ids);
        // then
        assertEquals(2, n);
        assertArrayEquals(new int[] {3, 4}, ids);
    }

    @Test
    void aBlockWhosePrefixWasPrunedIsIndexedUnderARebuiltPathAsHashBlockWould() {
        // given: a's first block is cached in block 1; b computed the same content privately; then block 1 is
        // evicted and its node pruned, so the insert memo's entry for b's first block leads nowhere
        var tree = new RadixTree();
        var hash = new HashBlockPrefixCache.Index();
        var a = seq(1, 1, 1, 1);
        var b = seq(1, 1, 1, 1, 2, 2, 2, 2);
        for (PrefixCache cache : new PrefixCache[] {tree, hash}) {
            assertTrue(cache.insert(a, 0, 1));
            assertFalse(cache.insert(b, 0, 2));
            cache.evicted(1);
            // when: b publishes its second block
            assertTrue(cache.insert(b, 1, 3));
            // then: it is indexed, but unreachable while the first block has no KV
            assertArrayEquals(new int[] {}, match(cache, b));
            // when the first block is computed again, both match
            assertTrue(cache.insert(a, 0, 4));
            assertArrayEquals(new int[] {4, 3}, match(cache, b));
        }
        assertEquals(3, tree.nodeCount()); // root, [1 1 1 1], [2 2 2 2]
    }

    @Test
    void aTreeIndexesOneBlockSize() {
        var tree = new RadixTree();
        tree.insert(seq(1, 2, 3, 4), 0, 0);
        var e = assertThrows(IllegalArgumentException.class, () -> tree.insert(new TestBlocks(2, 1, 2), 0, 1));
        assertEquals("block size 2 tokens, but this tree indexes 4-token blocks", e.getMessage());
    }

    @Test
    void evictingABlockThatIsNotIndexedFails() {
        var e = assertThrows(IllegalStateException.class, () -> new RadixTree().evicted(3));
        assertEquals("block 3 is not indexed", e.getMessage());
    }
}

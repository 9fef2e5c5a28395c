package servelab.kernels.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttentionTest {
    /** The acceptance bound for F32 attention: paged against contiguous, and fast against reference. */
    private static final double MAX_ABS_ERROR = 1e-5;
    private static final AttentionShape SHAPE = new AttentionShape(8, 2, 32);
    private static final int LAYER = 1;

    private static float[] gaussian(SplittableRandom random, int n) {
        var v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** A block table that is a shuffled subset of the pool, so logical order differs from physical order. */
    private static int[] shuffledTable(int blocks, int pool, long seed) {
        var ids = new int[pool];
        for (int i = 0; i < pool; i++) {
            ids[i] = i;
        }
        var random = new SplittableRandom(seed);
        for (int i = pool - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        return java.util.Arrays.copyOf(ids, blocks);
    }

    /** The same keys and values stored into slot 1 of a contiguous cache and through a block table of a paged one. */
    private record Caches(ContiguousKvCache contiguous, KvAddress slot, PagedKvCache paged, KvAddress blocks, float[] q) {
        static Caches filled(int length, int blockSize, long seed) {
            var random = new SplittableRandom(seed);
            int kvDim = SHAPE.kvHeads() * SHAPE.headDim();
            var contiguous = new ContiguousKvCache(2, SHAPE.kvHeads(), SHAPE.headDim(), 3, length + 7);
            int blocks = (length + blockSize - 1) / blockSize;
            var paged = new PagedKvCache(2, SHAPE.kvHeads(), SHAPE.headDim(), blockSize, blocks + 5);
            var slot = new KvAddress.Slot(1);
            var table = new KvAddress.Blocks(shuffledTable(blocks, blocks + 5, seed));
            for (int p = 0; p < length; p++) {
                var k = gaussian(random, kvDim);
                var v = gaussian(random, kvDim);
                contiguous.store(LAYER, slot, p, k, 0, v, 0);
                paged.store(LAYER, table, p, k, 0, v, 0);
            }
            return new Caches(contiguous, slot, paged, table, gaussian(random, SHAPE.heads() * SHAPE.headDim()));
        }

        float[] attend(boolean paged, boolean tiled, int length) {
            var out = new float[SHAPE.heads() * SHAPE.headDim()];
            KvCache cache = paged ? this.paged : contiguous;
            var address = paged ? blocks : slot;
            for (int g = 0; g < SHAPE.kvHeads(); g++) {
                if (tiled) {
                    Attention.tiled(SHAPE, cache, LAYER, address, length, g, q, 0, out, 0);
                } else {
                    Attention.reference(SHAPE, cache, LAYER, address, length, g, q, 0, out, 0);
                }
            }
            return out;
        }
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    @ParameterizedTest(name = "length {0}, block size {1}")
    @CsvSource({"1, 4", "5, 4", "31, 16", "33, 16", "100, 16", "100, 5", "257, 32"})
    void pagedAttentionEqualsContiguousAttention(int length, int blockSize) {
        var caches = Caches.filled(length, blockSize, length * 31L + blockSize);
        var contiguous = caches.attend(false, true, length);
        var paged = caches.attend(true, true, length);
        double error = maxAbsDifference(contiguous, paged);
        assertTrue(error <= MAX_ABS_ERROR, "max abs error " + error);
        // stronger than the bound: tiles are cut by position, not by block, so the arithmetic is the same
        assertArrayEquals(contiguous, paged);
    }

    @ParameterizedTest(name = "length {0}, block size {1}")
    @CsvSource({"1, 4", "33, 16", "100, 5"})
    void tiledAttentionMatchesTheReference(int length, int blockSize) {
        var caches = Caches.filled(length, blockSize, 7);
        for (boolean paged : new boolean[] {false, true}) {
            double error = maxAbsDifference(caches.attend(paged, false, length), caches.attend(paged, true, length));
            assertTrue(error <= MAX_ABS_ERROR, "paged=" + paged + ": max abs error " + error);
        }
    }

    @ParameterizedTest(name = "length {0}")
    @CsvSource({"1", "2", "33", "64", "95"})
    void headsScoredFourAtATimeGetTheSingleDotsBits(int length) {
        // five query heads over one KV head: heads 0-3 are scored together (two rows at a time, and an odd last row
        // alone), head 4 by the single dot; with the same query in every head, every head's output must be the same
        var shape = new AttentionShape(5, 1, 32);
        var random = new SplittableRandom(length);
        var cache = new PagedKvCache(1, 1, 32, 16, (length + 15) / 16);
        var table = new int[(length + 15) / 16];
        for (int b = 0; b < table.length; b++) table[b] = table.length - 1 - b;
        var address = new KvAddress.Blocks(table);
        for (int p = 0; p < length; p++) cache.store(0, address, p, gaussian(random, 32), 0, gaussian(random, 32), 0);
        var head = gaussian(random, 32);
        var q = new float[5 * 32];
        for (int h = 0; h < 5; h++) System.arraycopy(head, 0, q, h * 32, 32);
        var out = new float[5 * 32];
        Attention.tiled(shape, cache, 0, address, length, 0, q, 0, out, 0);
        for (int h = 1; h < 5; h++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(out, 0, 32), java.util.Arrays.copyOfRange(out, h * 32, h * 32 + 32),
                    "head " + h);
        }
    }

    @Test
    void referenceReadsBothLayoutsIdentically() {
        var caches = Caches.filled(40, 8, 11);
        // the reference visits positions in the same order whatever the layout, so the results are bit-identical
        assertArrayEquals(caches.attend(false, false, 40), caches.attend(true, false, 40));
    }

    @Test
    void oneVisiblePositionReturnsItsValueRow() {
        var caches = Caches.filled(9, 4, 13);
        var out = caches.attend(true, true, 1);
        // softmax over a single score is 1: every query head of group g gets value row 0 of KV head g
        var values = caches.paged().values(LAYER);
        for (int h = 0; h < SHAPE.heads(); h++) {
            int row = caches.paged().rowOffset(caches.blocks(), h / SHAPE.groupSize(), 0);
            for (int d = 0; d < SHAPE.headDim(); d++) {
                assertEquals(values[row + d], out[h * SHAPE.headDim() + d], 1e-6);
            }
        }
    }

    @Test
    void laterPositionsDoNotChangeEarlierResults() {
        var caches = Caches.filled(20, 4, 17);
        var before = caches.attend(true, true, 12);
        var random = new SplittableRandom(3);
        int kvDim = SHAPE.kvHeads() * SHAPE.headDim();
        // overwrite positions 12..19: attention over 0..11 must not read them
        for (int p = 12; p < 20; p++) {
            caches.paged().store(LAYER, caches.blocks(), p, gaussian(random, kvDim), 0, gaussian(random, kvDim), 0);
        }
        assertArrayEquals(before, caches.attend(true, true, 12));
    }

    @Test
    void aCopiedBlockServesTheSameAttention() {
        var caches = Caches.filled(12, 4, 19);
        var paged = caches.paged();
        var table = ((KvAddress.Blocks) caches.blocks()).table();
        // given a sequence over blocks t0, t1, t2: copy t1 to a free block and point the table there
        int free = java.util.stream.IntStream.range(0, paged.blocks()).filter(b -> java.util.Arrays.stream(table).noneMatch(t -> t == b))
                .findFirst().orElseThrow();
        var before = caches.attend(true, true, 12);
        paged.copyBlock(table[1], free);
        table[1] = free;
        assertArrayEquals(before, caches.attend(true, true, 12));
    }

    @Test
    void cachesRejectTheWrongAddressAndShortTables() {
        var paged = new PagedKvCache(1, 2, 32, 4, 8);
        var contiguous = new ContiguousKvCache(1, 2, 32, 2, 16);
        var slotError = assertThrows(IllegalArgumentException.class, () -> paged.checkCapacity(new KvAddress.Slot(0), 4));
        assertEquals("a PagedKvCache is addressed by block table, got Slot[index=0]", slotError.getMessage());
        var shortTable = assertThrows(IllegalArgumentException.class,
                () -> paged.checkCapacity(new KvAddress.Blocks(new int[] {3, 1}), 9));
        assertEquals("9 positions need 3 blocks of 4, the block table has 2", shortTable.getMessage());
        var badBlock = assertThrows(IllegalArgumentException.class,
                () -> paged.checkCapacity(new KvAddress.Blocks(new int[] {3, 8}), 5));
        assertEquals("block table entry 1 is 8, outside the pool of 8 blocks", badBlock.getMessage());
        var tooLong = assertThrows(IllegalArgumentException.class, () -> contiguous.checkCapacity(new KvAddress.Slot(1), 17));
        assertEquals("slot 1 holds 16 positions, 17 needed", tooLong.getMessage());
    }
}

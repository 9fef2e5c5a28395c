package servelab.common.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Seeded operations against a TreeSet ordered by the same keys; keys change while elements are in the heap. */
class IntMinHeapTest {

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void keepsTheOrderOfATreeSetWhileKeysChange(long seed) {
        var random = new SplittableRandom(seed);
        long[] key = new long[300]; // more ints than the heap's first capacity: its arrays grow
        IntMinHeap.Order byKey = (a, b) -> key[a] < key[b] || (key[a] == key[b] && a < b);
        var heap = new IntMinHeap(8, byKey);
        var reference = new TreeSet<Integer>(Comparator.<Integer>comparingLong(e -> key[e]).thenComparingInt(e -> e));
        for (int op = 0; op < 30_000; op++) {
            int e = random.nextInt(key.length);
            switch (random.nextInt(4)) {
                case 0, 1 -> { // add, or change the key of an element in the heap
                    reference.remove(e);
                    key[e] = random.nextLong(50); // many equal keys: ties go by the int
                    reference.add(e);
                    heap.update(e);
                }
                case 2 -> {
                    if (reference.remove(e)) heap.remove(e);
                    else assertThrows(IllegalStateException.class, () -> heap.remove(e));
                }
                default -> {
                    int first = heap.poll();
                    assertEquals(reference.isEmpty() ? IntMinHeap.NONE : reference.pollFirst(), first);
                }
            }
            assertEquals(reference.size(), heap.size());
            assertEquals(reference.isEmpty() ? IntMinHeap.NONE : reference.first(), heap.peek());
            assertEquals(reference.contains(e), heap.contains(e));
        }
    }

    @Test
    void anEmptyHeapHasNothingAndRefusesNegativeInts() {
        var heap = new IntMinHeap(0, (a, b) -> a < b);
        assertTrue(heap.isEmpty());
        assertEquals(IntMinHeap.NONE, heap.peek());
        assertEquals(IntMinHeap.NONE, heap.poll());
        assertFalse(heap.contains(5));
        assertFalse(heap.contains(-1));
        assertThrows(IllegalArgumentException.class, () -> heap.update(-1));
        heap.update(1000);
        assertEquals(1000, heap.peek());
    }
}

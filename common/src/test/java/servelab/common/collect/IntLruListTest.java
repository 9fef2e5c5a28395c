package servelab.common.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Seeded operations against a LinkedHashSet (insertion order = recency when a move re-inserts). */
class IntLruListTest {
    private static final int CAPACITY = 40;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void keepsTheOrderOfALinkedHashSet(long seed) {
        var random = new SplittableRandom(seed);
        var list = new IntLruList(CAPACITY);
        var reference = new LinkedHashSet<Integer>();
        for (int op = 0; op < 20_000; op++) {
            int e = random.nextInt(CAPACITY);
            switch (random.nextInt(5)) {
                case 0, 1 -> {
                    if (reference.add(e)) list.addLast(e);
                    else {
                        reference.remove(e);
                        reference.add(e);
                        list.moveToLast(e);
                    }
                }
                case 2 -> {
                    if (reference.remove(e)) list.remove(e);
                }
                case 3 -> { // evict the least recent
                    int first = list.first();
                    if (first != IntLruList.NONE) {
                        assertEquals(reference.iterator().next(), first);
                        reference.remove(first);
                        list.remove(first);
                    }
                }
                default -> {
                    if (random.nextInt(100) == 0) {
                        list.clear();
                        reference.clear();
                    }
                }
            }
            String where = "seed " + seed + ", operation " + op;
            assertEquals(List.copyOf(reference), forwards(list), where);
            assertEquals(reference.size(), list.size(), where);
            var backwards = new ArrayList<>(reference).reversed();
            assertEquals(backwards, backwards(list), where);
        }
    }

    private static List<Integer> forwards(IntLruList list) {
        var out = new ArrayList<Integer>();
        for (int e = list.first(); e != IntLruList.NONE; e = list.next(e)) out.add(e);
        return out;
    }

    private static List<Integer> backwards(IntLruList list) {
        var out = new ArrayList<Integer>();
        for (int e = list.last(); e != IntLruList.NONE; e = list.prev(e)) out.add(e);
        return out;
    }

    @org.junit.jupiter.api.Test
    void growingKeepsTheOrderAndTakesTheNewInts() {
        var list = new IntLruList(3);
        list.addLast(2);
        list.addLast(0);
        list.addLast(1);
        list.ensureCapacity(6);
        list.addLast(5);
        list.moveToLast(2);
        var order = new ArrayList<Integer>();
        for (int e = list.first(); e != IntLruList.NONE; e = list.next(e)) order.add(e);
        assertEquals(List.of(0, 1, 5, 2), order);
        list.ensureCapacity(2); // smaller: nothing changes
        assertEquals(4, list.size());
    }
}

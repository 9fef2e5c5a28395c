package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

/**
 * Columns without nulls are copied out of Arrow's buffers in bulk, and columns with nulls value by value: both give
 * the values at their rows, batch after batch; a list item that is null is refused, not copied as a zero.
 */
class ColumnDataTest {

    @Test
    void doublesAndLongsWithAndWithoutNulls() {
        try (var allocator = new RootAllocator();
             var plain = new Float8Vector("d", allocator);
             var holed = new Float8Vector("d", allocator);
             var longs = new BigIntVector("l", allocator);
             var holedLongs = new BigIntVector("l", allocator)) {
            fill(plain, 1.5, -2.25, 3e300);
            fill(holed, 4.0, null, 6.5);
            fillLongs(longs, 7L, Long.MIN_VALUE, 9L);
            fillLongs(holedLongs, null, 11L);
            var d = new ColumnData.Doubles();
            d.append(plain);
            d.append(holed);
            d.append(plain);
            assertEquals(9, d.size());
            assertArrayEquals(new double[] {1.5, -2.25, 3e300, 4.0, Double.NaN, 6.5, 1.5, -2.25, 3e300},
                    java.util.Arrays.copyOf(d.values, d.size()));
            var l = new ColumnData.Longs();
            l.append(longs);
            l.append(holedLongs);
            l.append(longs);
            assertEquals(8, l.size());
            assertArrayEquals(new long[] {7, Long.MIN_VALUE, 9, -1, 11, 7, Long.MIN_VALUE, 9},
                    java.util.Arrays.copyOf(l.values, l.size()));
            for (int i = 0; i < 8; i++) assertEquals(i == 3, l.isNull(i), "row " + i);
        }
    }

    @Test
    void listsWithNullListsAndEmptyListsAndNoNullItems() {
        try (var allocator = new RootAllocator();
             var doubles = ListVector.empty("itl_ms", allocator);
             var holed = ListVector.empty("itl_ms", allocator);
             var longs = ListVector.empty("token_ns", allocator)) {
            fillLists(doubles, new FieldType(false, new ArrowType.FloatingPoint(
                    org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE), null),
                    List.of(1.0, 2.0), null, List.of(), List.of(3.5));
            fillLists(holed, new FieldType(true, new ArrowType.FloatingPoint(
                    org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE), null),
                    List.of(8.0), java.util.Arrays.asList(9.0, null));
            fillLists(longs, new FieldType(false, new ArrowType.Int(64, true), null), List.of(5L, 6L, 7L), List.of(8L));
            var lists = new ColumnData.Lists();
            lists.append(doubles);
            // the schema has no null items: one is refused as before, not copied as a zero
            assertThrows(IllegalStateException.class, () -> new ColumnData.Lists().append(holed));
            assertEquals(4, lists.size());
            assertArrayEquals(new double[] {1.0, 2.0}, (double[]) lists.values[0]);
            assertNull(lists.values[1]);
            assertTrue(lists.isNull(1));
            assertArrayEquals(new double[0], (double[]) lists.values[2]);
            assertFalse(lists.isNull(2));
            assertArrayEquals(new double[] {3.5}, (double[]) lists.values[3]);
            var longLists = new ColumnData.Lists();
            longLists.append(longs);
            assertArrayEquals(new long[] {5, 6, 7}, (long[]) longLists.values[0]);
            assertArrayEquals(new long[] {8}, (long[]) longLists.values[1]);
        }
    }

    private static void fill(Float8Vector v, Double... xs) {
        v.allocateNew(xs.length);
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] == null) v.setNull(i);
            else v.set(i, xs[i]);
        }
        v.setValueCount(xs.length);
    }

    private static void fillLongs(BigIntVector v, Long... xs) {
        v.allocateNew(xs.length);
        for (int i = 0; i < xs.length; i++) {
            if (xs[i] == null) v.setNull(i);
            else v.set(i, xs[i]);
        }
        v.setValueCount(xs.length);
    }

    /** A list per argument; null for a null list; a null item is a null item (a double list only). */
    private static void fillLists(ListVector v, FieldType items, List<?>... lists) {
        v.addOrGetVector(items);
        v.allocateNew();
        var data = v.getDataVector();
        int at = 0;
        for (int i = 0; i < lists.length; i++) {
            if (lists[i] == null) {
                v.setNull(i);
                continue;
            }
            v.startNewValue(i);
            for (Object x : lists[i]) {
                if (data instanceof Float8Vector f) {
                    if (x == null) f.setNull(at);
                    else f.setSafe(at, (Double) x);
                } else {
                    ((BigIntVector) data).setSafe(at, (Long) x);
                }
                at++;
            }
            v.endValue(i, lists[i].size());
        }
        data.setValueCount(at);
        v.setValueCount(lists.length);
    }
}

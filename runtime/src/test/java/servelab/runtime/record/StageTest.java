package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A staged batch leaves its vector as {@code setSafe} and {@code setNull} row by row leave it, byte for byte, in the
 * bytes a record batch writes and in the zeros past them: whole and partial validity bytes, nulls, a fresh vector and
 * one reused after a larger batch and a reset.
 */
class StageTest {

    @ParameterizedTest(name = "{0}, {1} rows")
    @CsvSource({"LONGS, 1", "LONGS, 13", "LONGS, 64", "LONGS_NEGATIVE_NULL, 13", "LONGS_NEGATIVE_NULL, 40",
            "INTS, 9", "INTS_NEGATIVE_NULL, 21", "DOUBLES, 16", "DOUBLES_NAN_NULL, 19", "DOUBLES_NAN_NULL, 0"})
    void aStagedBatchIsWhatSetSafeWrites(Stage stage, int rows) {
        try (var allocator = new RootAllocator();
             var staged = vector(stage, allocator);
             var direct = vector(stage, allocator)) {
            // a first, larger batch in both, then a reset: the second batch reuses the memory
            for (var v : new BaseFixedWidthVector[] {staged, direct}) {
                for (int i = 0; i < 70; i++) setDirect(stage, v, i, i % 3 == 0 ? -1 : 1000 + i);
                v.setValueCount(70);
                v.reset();
            }
            var array = stage.newArray(64);
            for (int i = 0; i < rows; i++) {
                double value = i % 4 == 1 ? -1 : 7 * i - 3 + (i % 2 == 0 ? 0.5 : 0);
                stage(stage, array, i, value);
                setDirect(stage, direct, i, value);
            }
            stage.flush(array, staged, rows);
            staged.setValueCount(rows);
            direct.setValueCount(rows);
            assertArrayEquals(bytes(direct.getValidityBuffer()), bytes(staged.getValidityBuffer()), "validity");
            assertArrayEquals(bytes(direct.getDataBuffer()), bytes(staged.getDataBuffer()), "values");
            assertEquals(direct.getNullCount(), staged.getNullCount());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"LONGS", "INTS_NEGATIVE_NULL", "DOUBLES_NAN_NULL"})
    void aFreshVectorIsAllocated(Stage stage) {
        try (var allocator = new RootAllocator(); var v = vector(stage, allocator)) {
            var array = stage.newArray(5000);
            for (int i = 0; i < 5000; i++) stage(stage, array, i, i);
            stage.flush(array, v, 5000);
            v.setValueCount(5000);
            assertEquals(0, v.getNullCount());
            assertEquals("4999", String.valueOf(v.getObject(4999)).replace(".0", ""));
        }
    }

    private static BaseFixedWidthVector vector(Stage stage, RootAllocator allocator) {
        return switch (stage) {
            case LONGS, LONGS_NEGATIVE_NULL -> new BigIntVector("x", allocator);
            case INTS, INTS_NEGATIVE_NULL -> new IntVector("x", allocator);
            case DOUBLES, DOUBLES_NAN_NULL -> new Float8Vector("x", allocator);
        };
    }

    /** What the column's setter stores: a negative value (or NaN for doubles) is the null of a nullable kind. */
    private static void stage(Stage stage, Object array, int i, double value) {
        switch (array) {
            case long[] a -> a[i] = (long) value;
            case int[] a -> a[i] = (int) value;
            case double[] a -> a[i] = stage == Stage.DOUBLES_NAN_NULL && value < 0 ? Double.NaN : value;
            default -> throw new IllegalArgumentException();
        }
    }

    /** The setters before staging: setSafe, or setNull where the kind says null. */
    private static void setDirect(Stage stage, BaseFixedWidthVector v, int i, double value) {
        boolean nullable = stage == Stage.LONGS_NEGATIVE_NULL || stage == Stage.INTS_NEGATIVE_NULL
                || stage == Stage.DOUBLES_NAN_NULL;
        if (nullable && value < 0) {
            v.setNull(i);
            return;
        }
        switch (v) {
            case BigIntVector b -> b.setSafe(i, (long) value);
            case IntVector b -> b.setSafe(i, (int) value);
            case Float8Vector b -> b.setSafe(i, value);
            default -> throw new IllegalArgumentException();
        }
    }

    private static byte[] bytes(ArrowBuf buffer) {
        var out = new byte[(int) buffer.capacity()];
        buffer.getBytes(0, out);
        return out;
    }
}

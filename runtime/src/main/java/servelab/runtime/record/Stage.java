package servelab.runtime.record;

import java.nio.ByteOrder;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BitVectorHelper;
import org.apache.arrow.vector.FieldVector;

/**
 * Where a fixed-width column's values wait for their record batch: a plain array per writer that each row stores
 * into, copied into the column's vector in bulk when the batch is written ({@link #flush}). Per row that is one array
 * store where {@code setSafe} checked the vector's capacity, set a validity bit and wrote through Arrow's buffer.
 * The vector ends as {@code setSafe} and {@code setNull} left it, byte for byte: values and validity bits of the
 * batch's rows, zeros past them ({@link TableWriter} resets the vectors after each batch), a null's value 0.
 */
enum Stage {
    /** int64, never null. */
    LONGS(8),
    /** int64, null where the value is negative. */
    LONGS_NEGATIVE_NULL(8),
    /** int32, never null. */
    INTS(4),
    /** int32, null where the value is negative. */
    INTS_NEGATIVE_NULL(4),
    /** float64, never null. */
    DOUBLES(8),
    /** float64, null where the value is NaN. */
    DOUBLES_NAN_NULL(8);

    private final int width;

    Stage(int width) {
        this.width = width;
    }

    /** A staging array for up to {@code rows} rows. */
    Object newArray(int rows) {
        return switch (this) {
            case LONGS, LONGS_NEGATIVE_NULL -> new long[rows];
            case INTS, INTS_NEGATIVE_NULL -> new int[rows];
            case DOUBLES, DOUBLES_NAN_NULL -> new double[rows];
        };
    }

    /**
     * Copies the first {@code rows} staged values into {@code vector} (reset, or fresh), nulls as the kind says; the
     * array's nulls are set to 0 on the way.
     */
    void flush(Object array, FieldVector vector, int rows) {
        if (rows == 0) return;
        var v = (BaseFixedWidthVector) vector;
        if (v.getValueCapacity() < rows) v.allocateNew(Math.max(rows, arrayLength(array)));
        ArrowBuf validity = v.getValidityBuffer();
        boolean nullable = this == LONGS_NEGATIVE_NULL || this == INTS_NEGATIVE_NULL || this == DOUBLES_NAN_NULL;
        if (nullable) {
            for (int i = 0; i < rows; i++) {
                if (isNull(array, i)) clear(array, i);
                else BitVectorHelper.setBit(validity, i);
            }
        } else {
            int whole = rows / 8;
            if (whole > 0) validity.setOne(0, whole);
            if (rows % 8 != 0) validity.setByte(whole, (1 << (rows % 8)) - 1);
        }
        var bytes = v.getDataBuffer().nioBuffer(0, rows * width).order(ByteOrder.LITTLE_ENDIAN);
        switch (array) {
            case long[] longs -> bytes.asLongBuffer().put(longs, 0, rows);
            case int[] ints -> bytes.asIntBuffer().put(ints, 0, rows);
            case double[] doubles -> bytes.asDoubleBuffer().put(doubles, 0, rows);
            default -> throw new IllegalArgumentException("not a staging array: " + array);
        }
    }

    private boolean isNull(Object array, int i) {
        return switch (this) {
            case LONGS_NEGATIVE_NULL -> ((long[]) array)[i] < 0;
            case INTS_NEGATIVE_NULL -> ((int[]) array)[i] < 0;
            case DOUBLES_NAN_NULL -> Double.isNaN(((double[]) array)[i]);
            default -> false;
        };
    }

    private static void clear(Object array, int i) {
        switch (array) {
            case long[] longs -> longs[i] = 0;
            case int[] ints -> ints[i] = 0;
            case double[] doubles -> doubles[i] = 0;
            default -> throw new IllegalArgumentException("not a staging array: " + array);
        }
    }

    private static int arrayLength(Object array) {
        return switch (array) {
            case long[] longs -> longs.length;
            case int[] ints -> ints.length;
            case double[] doubles -> doubles.length;
            default -> throw new IllegalArgumentException("not a staging array: " + array);
        };
    }
}

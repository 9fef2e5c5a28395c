package servelab.runtime.record;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToIntFunction;
import java.util.function.ToLongFunction;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;

/**
 * One column of a result table: its Arrow field and how a row fills it; {@link RowWriters} calls the setters.
 * Integer and float64 columns are {@linkplain Stage staged}: a row stores its value in a plain array of the writer's
 * (one store, no boxing), and the batch is copied into the vector in bulk when it is written. The other columns
 * (text, booleans, lists) write straight into their vectors ({@code setSafe} grows them). A column may be shared by
 * writers on several threads: the text columns' cache of the last string they encoded is one immutable pair, replaced
 * whole, and the staging arrays are the writers', not the column's.
 */
final class Column<R> {

    /** Writes one row's value at {@code index} of its target: the column's vector, or its {@link Stage}'s array. */
    interface Setter<R> {
        void set(Object target, int index, R row);
    }

    static final ArrowType INT32 = new ArrowType.Int(32, true);
    static final ArrowType INT64 = new ArrowType.Int(64, true);
    static final ArrowType FLOAT64 = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);

    private final Field field;
    private final Setter<R> setter;
    private final Stage stage;

    private Column(Field field, Setter<R> setter) {
        this(field, setter, null);
    }

    private Column(Field field, Setter<R> setter, Stage stage) {
        this.field = field;
        this.setter = setter;
        this.stage = stage;
    }

    /** How the column's values wait for their batch, or null when the setter writes into the vector itself. */
    Stage stage() {
        return stage;
    }

    /** The setter's target for a batch of up to {@code rows} rows: a fresh staging array, or the vector. */
    Object target(FieldVector vector, int rows) {
        return stage == null ? vector : stage.newArray(rows);
    }

    Field field() {
        return field;
    }

    Setter<R> setter() {
        return setter;
    }

    static <R> Column<R> int64(String name, ToLongFunction<R> value) {
        return new Column<>(Field.notNullable(name, INT64), (t, i, r) -> ((long[]) t)[i] = value.applyAsLong(r),
                Stage.LONGS);
    }

    /** An int64 column where a negative value (-1: never reached, or not known) is written as null. */
    static <R> Column<R> int64OrNull(String name, ToLongFunction<R> value) {
        return new Column<>(Field.nullable(name, INT64), (t, i, r) -> ((long[]) t)[i] = value.applyAsLong(r),
                Stage.LONGS_NEGATIVE_NULL);
    }

    static <R> Column<R> int32(String name, ToIntFunction<R> value) {
        return new Column<>(Field.notNullable(name, INT32), (t, i, r) -> ((int[]) t)[i] = value.applyAsInt(r),
                Stage.INTS);
    }

    /** An int32 column where a negative value (-1: not known, or not applicable) is written as null. */
    static <R> Column<R> int32OrNull(String name, ToIntFunction<R> value) {
        return new Column<>(Field.nullable(name, INT32), (t, i, r) -> ((int[]) t)[i] = value.applyAsInt(r),
                Stage.INTS_NEGATIVE_NULL);
    }

    static <R> Column<R> float64(String name, ToDoubleFunction<R> value) {
        return new Column<>(Field.notNullable(name, FLOAT64), (t, i, r) -> ((double[]) t)[i] = value.applyAsDouble(r),
                Stage.DOUBLES);
    }

    /** A float64 column where NaN (not defined) is written as null. */
    static <R> Column<R> float64OrNull(String name, ToDoubleFunction<R> value) {
        return new Column<>(Field.nullable(name, FLOAT64), (t, i, r) -> ((double[]) t)[i] = value.applyAsDouble(r),
                Stage.DOUBLES_NAN_NULL);
    }

    /** A boolean column that is null where {@code value} gives null. */
    static <R> Column<R> bool(String name, Function<R, Boolean> value) {
        return new Column<>(Field.nullable(name, ArrowType.Bool.INSTANCE), (v, i, r) -> {
            Boolean x = value.apply(r);
            if (x == null) ((BitVector) v).setNull(i);
            else ((BitVector) v).setSafe(i, x ? 1 : 0);
        });
    }

    /** A boolean column that is never null. */
    static <R> Column<R> boolNotNull(String name, java.util.function.Predicate<R> value) {
        return new Column<>(Field.notNullable(name, ArrowType.Bool.INSTANCE),
                (v, i, r) -> ((BitVector) v).setSafe(i, value.test(r) ? 1 : 0));
    }

    static <R> Column<R> utf8(String name, Function<R, String> value) {
        // Scheduler and batcher names repeat on every iteration row: encode a string once while it stays the same.
        // The pair is replaced whole (its fields are final), so a writer on another thread sees a matching pair.
        var last = new Object() {
            Encoded encoded = new Encoded(null, null);
        };
        return new Column<>(Field.notNullable(name, ArrowType.Utf8.INSTANCE), (v, i, r) -> {
            String text = value.apply(r);
            var encoded = last.encoded;
            if (text != encoded.text()) {
                encoded = new Encoded(text, text.getBytes(StandardCharsets.UTF_8));
                last.encoded = encoded;
            }
            ((VarCharVector) v).setSafe(i, encoded.bytes());
        });
    }

    /** A string and its UTF-8 bytes. */
    private record Encoded(String text, byte[] bytes) {}

    /** A list of float64 (never null inside); a null array is written as a null list. */
    static <R> Column<R> float64List(String name, Function<R, double[]> value) {
        return new Column<>(listField(name, FLOAT64), (v, i, r) -> {
            double[] xs = value.apply(r);
            var list = (ListVector) v;
            if (xs == null) {
                list.setNull(i);
                return;
            }
            var items = (Float8Vector) list.getDataVector();
            int start = list.startNewValue(i);
            for (int k = 0; k < xs.length; k++) items.setSafe(start + k, xs[k]);
            list.endValue(i, xs.length);
        });
    }

    /** A list of int64; an empty array (not recorded) is written as a null list. */
    static <R> Column<R> int64ListOrNull(String name, Function<R, long[]> value) {
        return new Column<>(listField(name, INT64), (v, i, r) -> {
            long[] xs = value.apply(r);
            var list = (ListVector) v;
            if (xs.length == 0) {
                list.setNull(i);
                return;
            }
            var items = (BigIntVector) list.getDataVector();
            int start = list.startNewValue(i);
            for (int k = 0; k < xs.length; k++) items.setSafe(start + k, xs[k]);
            list.endValue(i, xs.length);
        });
    }

    /** A nullable list whose items are never null; the item is named "item", as pyarrow and Arrow C++ name it. */
    private static Field listField(String name, ArrowType itemType) {
        return new Field(name, FieldType.nullable(ArrowType.List.INSTANCE), List.of(Field.notNullable("item", itemType)));
    }
}

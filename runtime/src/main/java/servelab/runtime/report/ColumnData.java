package servelab.runtime.report;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.arrow.memory.ArrowBuf;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * The values of one column, copied out of Arrow vectors batch by batch into plain Java arrays, so a loaded run
 * holds no Arrow memory. The kinds are exactly the Arrow types the results schema uses.
 */
sealed interface ColumnData {

    int size();

    boolean isNull(int row);

    /** Appends a batch's vector. */
    void append(FieldVector vector);

    /** Int32 and Int64 columns. */
    final class Longs implements ColumnData {
        long[] values = new long[16];
        boolean[] nulls = new boolean[16];
        int size;

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean isNull(int row) {
            return nulls[row];
        }

        @Override
        public void append(FieldVector vector) {
            int n = vector.getValueCount();
            grow(n);
            if (vector instanceof BigIntVector b && b.getNullCount() == 0) {
                if (n > 0) view(b.getDataBuffer(), n).asLongBuffer().get(0, values, size, n);
                size += n; // nulls[] past the old size are still false
                return;
            }
            for (int i = 0; i < n; i++, size++) {
                nulls[size] = vector.isNull(i);
                if (nulls[size]) values[size] = -1;
                else values[size] = vector instanceof BigIntVector b ? b.get(i) : ((IntVector) vector).get(i);
            }
        }

        private void grow(int more) {
            if (size + more <= values.length) return;
            int capacity = Math.max(values.length * 2, size + more);
            values = Arrays.copyOf(values, capacity);
            nulls = Arrays.copyOf(nulls, capacity);
        }
    }

    /** Float64 columns; null is NaN (the writer never writes NaN itself). */
    final class Doubles implements ColumnData {
        double[] values = new double[16];
        int size;

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean isNull(int row) {
            return Double.isNaN(values[row]);
        }

        @Override
        public void append(FieldVector vector) {
            var v = (Float8Vector) vector;
            int n = v.getValueCount();
            if (size + n > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, size + n));
            if (v.getNullCount() == 0) {
                if (n > 0) view(v.getDataBuffer(), n).asDoubleBuffer().get(0, values, size, n);
                size += n;
                return;
            }
            for (int i = 0; i < n; i++) values[size++] = v.isNull(i) ? Double.NaN : v.get(i);
        }
    }

    /** Bool columns: 1, 0, or -1 for null. */
    final class Bools implements ColumnData {
        byte[] values = new byte[16];
        int size;

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean isNull(int row) {
            return values[row] < 0;
        }

        @Override
        public void append(FieldVector vector) {
            var v = (BitVector) vector;
            int n = v.getValueCount();
            if (size + n > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, size + n));
            for (int i = 0; i < n; i++) values[size++] = (byte) (v.isNull(i) ? -1 : v.get(i));
        }
    }

    /** Utf8 columns (never null in the schema; a null would read as ""). */
    final class Strings implements ColumnData {
        String[] values = new String[16];
        int size;

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean isNull(int row) {
            return false;
        }

        @Override
        public void append(FieldVector vector) {
            var v = (VarCharVector) vector;
            int n = v.getValueCount();
            if (size + n > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, size + n));
            // consecutive rows often repeat a name (scheduler@version): share the String
            String last = null;
            byte[] lastBytes = null;
            for (int i = 0; i < n; i++) {
                byte[] bytes = v.isNull(i) ? new byte[0] : v.get(i);
                if (last == null || !Arrays.equals(bytes, lastBytes)) {
                    last = new String(bytes, StandardCharsets.UTF_8);
                    lastBytes = bytes;
                }
                values[size++] = last;
            }
        }
    }

    /** List of Float64 or List of Int64 columns; a null list is a null entry. Items are kept as double[] or long[]. */
    final class Lists implements ColumnData {
        Object[] values = new Object[16];
        int size;

        @Override
        public int size() {
            return size;
        }

        @Override
        public boolean isNull(int row) {
            return values[row] == null;
        }

        @Override
        public void append(FieldVector vector) {
            var v = (ListVector) vector;
            int n = v.getValueCount();
            if (size + n > values.length) values = Arrays.copyOf(values, Math.max(values.length * 2, size + n));
            var items = v.getDataVector();
            // items without nulls are copied a list at a time, through one view of the items' buffer
            boolean whole = (items instanceof Float8Vector || items instanceof BigIntVector) && items.getNullCount() == 0
                    && items.getValueCount() > 0;
            var buffer = whole ? view(items.getDataBuffer(), items.getValueCount()) : null;
            var doubles = buffer != null && items instanceof Float8Vector ? buffer.asDoubleBuffer() : null;
            var longs = buffer != null && items instanceof BigIntVector ? buffer.asLongBuffer() : null;
            for (int i = 0; i < n; i++) {
                if (v.isNull(i)) {
                    values[size++] = null;
                    continue;
                }
                int start = v.getElementStartIndex(i);
                int end = v.getElementEndIndex(i);
                if (items instanceof Float8Vector f) {
                    var xs = new double[end - start];
                    if (doubles != null) doubles.get(start, xs);
                    else for (int k = start; k < end; k++) xs[k - start] = f.get(k);
                    values[size++] = xs;
                } else {
                    var b = (BigIntVector) items;
                    var xs = new long[end - start];
                    if (longs != null) longs.get(start, xs);
                    else for (int k = start; k < end; k++) xs[k - start] = b.get(k);
                    values[size++] = xs;
                }
            }
        }
    }

    /** The first {@code count} 8-byte items of {@code buffer} as a little-endian byte buffer, not copied. */
    private static java.nio.ByteBuffer view(ArrowBuf buffer, int count) {
        return buffer.nioBuffer(0, 8 * count).order(ByteOrder.LITTLE_ENDIAN);
    }
}

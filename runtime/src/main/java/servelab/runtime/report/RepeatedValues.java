package servelab.runtime.report;

import java.util.Arrays;

/**
 * The distinct values of an array and how often each occurs, in ascending order, for arrays where values repeat
 * many times: a simulated run's inter-token gaps are the step durations every running request shares (2.1 M gaps,
 * 36 k distinct, in the Azure conversation slice), and sorting all of them was most of a cold run's summary.
 * Walking the distinct values in order, each as often as it occurs, visits the values exactly as the sorted array
 * would, so sums over it are bit for bit those over the sorted array.
 *
 * <p>Cost: one pass of open-addressing hashing (keys are the values' raw bits), then a sort of the distinct values.
 */
final class RepeatedValues {
    private static final long EMPTY = 0x7ff8_dead_beef_0001L; // a NaN payload no arithmetic produces

    final double[] values;
    final long[] counts;

    private RepeatedValues(double[] values, long[] counts) {
        this.values = values;
        this.counts = counts;
    }

    /**
     * The distinct values of {@code xs} in {@link Double#compare} order (that of {@link Arrays#sort(double[])}) with
     * their counts, or null when there are more than {@code limit} distinct values (sorting is then as quick) or
     * {@code xs} holds the table's empty marker.
     */
    static RepeatedValues of(double[] xs, int limit) {
        long[] keys = new long[1024];
        long[] counts = new long[1024];
        Arrays.fill(keys, EMPTY);
        int size = 0;
        for (double x : xs) {
            long key = Double.doubleToRawLongBits(x);
            if (key == EMPTY) return null;
            int mask = keys.length - 1;
            int slot = mix(key) & mask;
            while (keys[slot] != key && keys[slot] != EMPTY) slot = (slot + 1) & mask;
            if (keys[slot] == EMPTY) {
                if (++size > limit) return null;
                keys[slot] = key;
                if (size * 2 > keys.length) { // keep the table at most half full
                    long[][] grown = grow(keys, counts);
                    keys = grown[0];
                    counts = grown[1];
                    slot = find(keys, key);
                }
            }
            counts[slot]++;
        }
        return sorted(keys, counts, size);
    }

    private static RepeatedValues sorted(long[] keys, long[] counts, int size) {
        double[] values = new double[size];
        int n = 0;
        for (long key : keys) if (key != EMPTY) values[n++] = Double.longBitsToDouble(key);
        Arrays.sort(values);
        long[] ordered = new long[size];
        for (int i = 0; i < size; i++) ordered[i] = counts[find(keys, Double.doubleToRawLongBits(values[i]))];
        return new RepeatedValues(values, ordered);
    }

    private static long[][] grow(long[] keys, long[] counts) {
        long[] k = new long[keys.length * 2];
        long[] c = new long[keys.length * 2];
        Arrays.fill(k, EMPTY);
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == EMPTY) continue;
            int slot = mix(keys[i]) & (k.length - 1);
            while (k[slot] != EMPTY) slot = (slot + 1) & (k.length - 1);
            k[slot] = keys[i];
            c[slot] = counts[i];
        }
        return new long[][] {k, c};
    }

    private static int find(long[] keys, long key) {
        int mask = keys.length - 1;
        int slot = mix(key) & mask;
        while (keys[slot] != key) slot = (slot + 1) & mask;
        return slot;
    }

    /** Spreads the bits of a double (whose low mantissa bits are often zero) over the table's index. */
    private static int mix(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h ^ (h >>> 32));
    }

    /** The value at {@code rank} (0-based) of the sorted array. */
    double at(long rank) {
        for (int i = 0; i < values.length; i++) {
            if (rank < counts[i]) return values[i];
            rank -= counts[i];
        }
        throw new IndexOutOfBoundsException("rank " + rank + " beyond the values");
    }
}

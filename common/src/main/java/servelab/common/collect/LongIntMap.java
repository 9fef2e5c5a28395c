package servelab.common.collect;

import java.util.Arrays;

/**
 * An open-addressing hash map from 64-bit keys to non-negative ints: Fibonacci hashing, linear probing, kept at
 * most half full, and backward-shift deletion (Knuth, TAOCP vol. 3, Algorithm 6.4R; no tombstones), so lookups
 * stay short after millions of removals. No boxing, no allocation per operation except when it grows. Never
 * iterated, so its layout cannot leak into results. Not thread-safe.
 */
public final class LongIntMap {
    /** What {@link #get} returns for an absent key; also marks an empty table entry. */
    public static final int ABSENT = -1;
    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    /** A map that holds {@code expected} keys without growing. */
    public LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, ABSENT);
        mask = capacity - 1;
    }

    public int size() {
        return size;
    }

    /** The value for {@code key}, or {@link #ABSENT}. */
    public int get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == ABSENT) return ABSENT;
            if (keys[i] == key) return values[i];
        }
    }

    /** Maps {@code key} to {@code value} (≥ 0) unless it is mapped already; returns the value now mapped. */
    public int putIfAbsent(long key, int value) {
        int i = find(key, value);
        if (values[i] != ABSENT) return values[i];
        insertAt(i, key, value);
        return value;
    }

    /** Maps {@code key} to {@code value} (≥ 0); returns the value it replaced, or {@link #ABSENT}. */
    public int put(long key, int value) {
        int i = find(key, value);
        int old = values[i];
        if (old == ABSENT) insertAt(i, key, value);
        else values[i] = value;
        return old;
    }

    /** Removes {@code key}; returns the value it had, or {@link #ABSENT}. */
    public int remove(long key) {
        int i = slot(key);
        while (values[i] != ABSENT && keys[i] != key) i = (i + 1) & mask;
        int old = values[i];
        if (old != ABSENT) deleteAt(i);
        return old;
    }

    /** Removes {@code key} if it maps to {@code value}. */
    public void remove(long key, int value) {
        int i = slot(key);
        while (values[i] != ABSENT && keys[i] != key) i = (i + 1) & mask;
        if (values[i] != ABSENT && values[i] == value) deleteAt(i);
    }

    /** Forgets every key. */
    public void clear() {
        Arrays.fill(values, ABSENT);
        size = 0;
    }

    /** The entry of {@code key}, or the empty entry where it would go (growing first if an insert would fill past half). */
    private int find(long key, int value) {
        if (value < 0) throw new IllegalArgumentException("values must be >= 0, was " + value);
        if (size * 2 >= keys.length) grow();
        int i = slot(key);
        while (values[i] != ABSENT && keys[i] != key) i = (i + 1) & mask;
        return i;
    }

    private void insertAt(int i, long key, int value) {
        keys[i] = key;
        values[i] = value;
        size++;
    }

    /** Backward shift: later entries of the probe run whose home is not cyclically in (hole, j] move into the hole. */
    private void deleteAt(int i) {
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != ABSENT; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = ABSENT;
        size--;
    }

    /** Fibonacci hashing: consecutive keys (the usual ids) spread over the table. */
    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldValues.length * 2];
        Arrays.fill(values, ABSENT);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) if (oldValues[i] != ABSENT) putIfAbsent(oldKeys[i], oldValues[i]);
    }
}

package servelab.plugins.caching.common;

import java.util.Arrays;

/**
 * An open-addressing hash map from 64-bit keys to non-negative ints, with linear probing and backward-shift
 * deletion (no tombstones), so lookups stay short after many evictions. No boxing, no allocation per operation
 * except when it grows. The prefix caches index blocks with it, and the engine's host tier its slots.
 */
public final class LongIntMap {
    private static final int EMPTY = -1;
    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    public LongIntMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, EMPTY);
        mask = capacity - 1;
    }

    public int size() {
        return size;
    }

    /** The value for {@code key}, or -1. */
    public int get(long key) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == EMPTY) return EMPTY;
            if (keys[i] == key) return values[i];
        }
    }

    /** Maps {@code key} to {@code value} (≥ 0) unless it is mapped already; returns the value now mapped. */
    public int putIfAbsent(long key, int value) {
        if (value < 0) throw new IllegalArgumentException("values must be >= 0, was " + value);
        if (size * 2 >= keys.length) grow();
        for (int i = slot(key); ; i = (i + 1) & mask) {
            if (values[i] == EMPTY) {
                keys[i] = key;
                values[i] = value;
                size++;
                return value;
            }
            if (keys[i] == key) return values[i];
        }
    }

    /** Removes {@code key} if it maps to {@code value}. */
    public void remove(long key, int value) {
        int i = slot(key);
        while (values[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        if (values[i] == EMPTY || values[i] != value) return;
        // backward-shift: move later entries of the probe run into the hole
        int hole = i;
        for (int j = (i + 1) & mask; values[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = EMPTY;
        size--;
    }

    /** Forgets every key. */
    public void clear() {
        Arrays.fill(values, EMPTY);
        size = 0;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldValues.length * 2];
        Arrays.fill(values, EMPTY);
        mask = keys.length - 1;
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) if (oldValues[i] != EMPTY) putIfAbsent(oldKeys[i], oldValues[i]);
    }
}

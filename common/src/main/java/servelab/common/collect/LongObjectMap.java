package servelab.common.collect;

import java.util.Arrays;

/**
 * A map from 64-bit keys to objects without boxing the keys: a {@link LongIntMap} from key to a slot of a value
 * array, freed slots reused. Never iterated, so its layout cannot leak into results. Not thread-safe.
 *
 * @param <V> the values; never null
 */
public final class LongObjectMap<V> {
    private final LongIntMap slots;
    private Object[] values;
    private int[] free = new int[16];
    private int freeCount;
    private int used;

    /** A map that holds {@code expected} keys without growing. */
    public LongObjectMap(int expected) {
        slots = new LongIntMap(expected);
        values = new Object[Math.max(16, expected)];
    }

    public int size() {
        return slots.size();
    }

    /** The value for {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public V get(long key) {
        int slot = slots.get(key);
        return slot == LongIntMap.ABSENT ? null : (V) values[slot];
    }

    /** Maps {@code key} to {@code value}, replacing what it mapped to. */
    public void put(long key, V value) {
        if (value == null) throw new IllegalArgumentException("LongObjectMap.put: value must not be null (key " + key + ")");
        int slot = slots.get(key);
        if (slot == LongIntMap.ABSENT) {
            slot = freeCount > 0 ? free[--freeCount] : used++;
            if (slot == values.length) values = Arrays.copyOf(values, slot * 2);
            slots.putIfAbsent(key, slot);
        }
        values[slot] = value;
    }

    /** Removes {@code key} if present. */
    public void remove(long key) {
        int slot = slots.remove(key);
        if (slot == LongIntMap.ABSENT) return;
        values[slot] = null;
        if (freeCount == free.length) free = Arrays.copyOf(free, freeCount * 2);
        free[freeCount++] = slot;
    }
}

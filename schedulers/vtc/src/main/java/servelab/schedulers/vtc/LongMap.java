package servelab.schedulers.vtc;

/**
 * A map from request id to value without boxing: open addressing with linear probing, deletion by backward shift
 * (Knuth, TAOCP vol. 3, Algorithm 6.4R). VTC looks up every queued request every step, and boxing each id was most
 * of its cost. Never iterated, so its layout cannot leak into results. Not thread-safe.
 */
final class LongMap<V> {
    private long[] keys = new long[64];
    private Object[] values = new Object[64];
    private int size;

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = keys.length - 1;
        for (int i = home(key, mask); values[i] != null; i = (i + 1) & mask) {
            if (keys[i] == key) return (V) values[i];
        }
        return null;
    }

    void put(long key, V value) {
        if (value == null) throw new IllegalArgumentException("LongMap.put: value must not be null (key " + key + ")");
        if (2 * (size + 1) > keys.length) grow();
        int mask = keys.length - 1;
        int i = home(key, mask);
        while (values[i] != null && keys[i] != key) i = (i + 1) & mask;
        if (values[i] == null) size++;
        keys[i] = key;
        values[i] = value;
    }

    void remove(long key) {
        int mask = keys.length - 1;
        int hole = home(key, mask);
        while (values[hole] != null && keys[hole] != key) hole = (hole + 1) & mask;
        if (values[hole] == null) return;
        size--;
        // move back every later entry of the probe run whose home is not between the hole and itself, so no
        // lookup stops early at the hole
        for (int j = (hole + 1) & mask; values[j] != null; j = (j + 1) & mask) {
            int h = home(keys[j], mask);
            boolean staysPut = hole < j ? h > hole && h <= j : h > hole || h <= j;
            if (!staysPut) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
    }

    private void grow() {
        var oldKeys = keys;
        var oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new Object[oldValues.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != null) {
                @SuppressWarnings("unchecked")
                V v = (V) oldValues[i];
                put(oldKeys[i], v);
            }
        }
    }

    /** Fibonacci hashing: consecutive ids (the usual case) spread over the table. */
    private static int home(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}

package servelab.datasets.internal;

/**
 * A set of longs without boxing: open addressing with linear probing, kept at most half full. Only adds; that is
 * all the infinite-cache statistic needs.
 */
final class LongHashSet {
    private long[] keys = new long[1 << 12];
    private boolean[] used = new boolean[1 << 12];
    private int size;

    /** Adds {@code key}; true when it was not there yet. */
    boolean add(long key) {
        int mask = keys.length - 1;
        int slot = mix(key) & mask;
        while (used[slot]) {
            if (keys[slot] == key) return false;
            slot = (slot + 1) & mask;
        }
        used[slot] = true;
        keys[slot] = key;
        if (++size * 2 > keys.length) grow();
        return true;
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] oldKeys = keys;
        boolean[] oldUsed = used;
        keys = new long[oldKeys.length * 2];
        used = new boolean[oldKeys.length * 2];
        int mask = keys.length - 1;
        for (int i = 0; i < oldKeys.length; i++) {
            if (!oldUsed[i]) continue;
            int slot = mix(oldKeys[i]) & mask;
            while (used[slot]) slot = (slot + 1) & mask;
            used[slot] = true;
            keys[slot] = oldKeys[i];
        }
    }

    /** Spreads sequential ids (Mooncake's are 0, 1, 2, ...) over the table: the SplitMix64 finalizer. */
    private static int mix(long key) {
        long z = key;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return (int) (z ^ (z >>> 31));
    }
}

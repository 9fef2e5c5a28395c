package servelab.common.collect;

/** A set of longs without boxing: a {@link LongIntMap} whose values are unused. Only adds and counts. */
public final class LongSet {
    private final LongIntMap map;

    /** A set that holds {@code expected} keys without growing. */
    public LongSet(int expected) {
        map = new LongIntMap(expected);
    }

    /** Adds {@code key}; true when it was not there yet. */
    public boolean add(long key) {
        int before = map.size();
        map.putIfAbsent(key, 0);
        return map.size() != before;
    }

    public boolean contains(long key) {
        return map.get(key) != LongIntMap.ABSENT;
    }

    public int size() {
        return map.size();
    }
}

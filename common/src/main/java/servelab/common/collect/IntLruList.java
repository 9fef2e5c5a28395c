package servelab.common.collect;

import java.util.Arrays;

/**
 * A recency order over the ints {@code [0, capacity)} (block or slot numbers): a doubly linked list in two int
 * arrays, least recent first, so adding, removing from the middle and moving to the most recent end cost O(1)
 * and allocate nothing. An int is in the list at most once; the caller knows which ones are.
 */
public final class IntLruList {
    /** No element: the end of the list, or an empty list's first and last. */
    public static final int NONE = -1;
    private int[] prev;
    private int[] next;
    private int first = NONE;
    private int last = NONE;
    private int size;

    public IntLruList(int capacity) {
        prev = new int[capacity];
        next = new int[capacity];
        Arrays.fill(prev, NONE);
        Arrays.fill(next, NONE);
    }

    /** Makes room for the ints {@code [0, capacity)}, keeping the order (nothing when there is room already). */
    public void ensureCapacity(int capacity) {
        int had = prev.length;
        if (capacity <= had) return;
        prev = Arrays.copyOf(prev, capacity);
        next = Arrays.copyOf(next, capacity);
        Arrays.fill(prev, had, capacity, NONE);
        Arrays.fill(next, had, capacity, NONE);
    }

    /** The least recent element, or {@link #NONE}. */
    public int first() {
        return first;
    }

    /** The most recent element, or {@link #NONE}. */
    public int last() {
        return last;
    }

    /** The element after {@code e} (more recent), or {@link #NONE}. */
    public int next(int e) {
        return next[e];
    }

    /** The element before {@code e} (less recent), or {@link #NONE}. */
    public int prev(int e) {
        return prev[e];
    }

    public int size() {
        return size;
    }

    /** Adds {@code e} (not in the list) as the most recent. */
    public void addLast(int e) {
        prev[e] = last;
        next[e] = NONE;
        if (last != NONE) next[last] = e;
        else first = e;
        last = e;
        size++;
    }

    /** Removes {@code e} (in the list). */
    public void remove(int e) {
        int p = prev[e], n = next[e];
        if (p != NONE) next[p] = n;
        else first = n;
        if (n != NONE) prev[n] = p;
        else last = p;
        prev[e] = NONE;
        next[e] = NONE;
        size--;
    }

    /** Makes {@code e} (in the list) the most recent. */
    public void moveToLast(int e) {
        if (e == last) return;
        remove(e);
        addLast(e);
    }

    /** Empties the list. */
    public void clear() {
        for (int e = first; e != NONE; ) {
            int n = next[e];
            prev[e] = NONE;
            next[e] = NONE;
            e = n;
        }
        first = last = NONE;
        size = 0;
    }
}

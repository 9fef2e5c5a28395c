package servelab.common.collect;

import java.util.Arrays;

/**
 * A binary min-heap of non-negative ints (replica or block numbers) in an order the caller defines, indexed by the
 * int, so an element's key can change or the element can leave from anywhere in O(log n). The keys live with the
 * caller: after changing an element's key, it calls {@link #update}. Arrays grow to the largest int seen and to
 * the largest size; nothing is allocated otherwise.
 *
 * <p>Used by the engine to pick the replica that steps next and by the eviction plugins to pick a victim block.
 */
public final class IntMinHeap {
    /** The heap's order: whether {@code a} comes out before {@code b}. It must be a strict total order. */
    @FunctionalInterface
    public interface Order {
        boolean before(int a, int b);
    }

    /** Returned by {@link #peek} and {@link #poll} when the heap is empty. */
    public static final int NONE = -1;
    private final Order order;
    /** Elements in heap order. */
    private int[] heap;
    /** Where each int sits in {@link #heap}, -1 when it is not in it. */
    private int[] position;
    private int size;

    /** @param capacity the ints expected, {@code [0, capacity)}; larger ones grow the arrays */
    public IntMinHeap(int capacity, Order order) {
        this.order = order;
        heap = new int[Math.max(1, capacity)];
        position = new int[Math.max(1, capacity)];
        Arrays.fill(position, -1);
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public boolean contains(int e) {
        return e >= 0 && e < position.length && position[e] >= 0;
    }

    /** Adds {@code e}, or, when it is in the heap already, moves it to where its (changed) key puts it. */
    public void update(int e) {
        if (e < 0) throw new IllegalArgumentException("IntMinHeap holds non-negative ints, was " + e);
        if (e >= position.length) growPositions(e);
        int at = position[e];
        if (at < 0) {
            if (size == heap.length) heap = Arrays.copyOf(heap, 2 * size);
            at = size++;
            place(e, at);
        }
        siftDown(siftUp(at));
    }

    /** Removes {@code e}, which must be in the heap. */
    public void remove(int e) {
        if (!contains(e)) throw new IllegalStateException(e + " is not in the heap");
        int at = position[e];
        position[e] = -1;
        int last = heap[--size];
        if (at == size) return;
        place(last, at);
        siftDown(siftUp(at));
    }

    /** The first element in the heap's order, or {@link #NONE} when empty. */
    public int peek() {
        return size == 0 ? NONE : heap[0];
    }

    /** Removes and returns the first element, or {@link #NONE} when empty. */
    public int poll() {
        if (size == 0) return NONE;
        int top = heap[0];
        remove(top);
        return top;
    }

    private int siftUp(int at) {
        int e = heap[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (!order.before(e, heap[parent])) break;
            place(heap[parent], at);
            at = parent;
        }
        place(e, at);
        return at;
    }

    private void siftDown(int at) {
        int e = heap[at];
        while (true) {
            int child = 2 * at + 1;
            if (child >= size) break;
            if (child + 1 < size && order.before(heap[child + 1], heap[child])) child++;
            if (!order.before(heap[child], e)) break;
            place(heap[child], at);
            at = child;
        }
        place(e, at);
    }

    private void place(int e, int at) {
        heap[at] = e;
        position[e] = at;
    }

    private void growPositions(int e) {
        int old = position.length;
        position = Arrays.copyOf(position, Math.max(e + 1, 2 * old));
        Arrays.fill(position, old, position.length, -1);
    }
}

package servelab.plugins.caching.eviction;

import java.util.Arrays;

/**
 * A binary min-heap of block ids ordered by a long key, then a long tie-breaker, then the order blocks entered the
 * heap; indexed by block id so any block can be removed in O(log n). Every eviction policy here is one of these
 * heaps (or two) under a different key. Arrays grow to the largest block id seen.
 */
final class BlockHeap {
    private int[] heap = new int[1024];
    private long[] priority = new long[1024];
    private long[] tie = new long[1024];
    private long[] order = new long[1024];
    private int[] position = filled(1024);
    private int size;
    private long entries;

    int size() {
        return size;
    }

    boolean contains(int block) {
        return block < position.length && position[block] >= 0;
    }

    /** Adds {@code block}, which must not be in the heap, under {@code key}; equal keys go smaller {@code tieKey} first. */
    void add(int block, long key, long tieKey) {
        ensure(block);
        if (position[block] >= 0) throw new IllegalStateException("block " + block + " is already a candidate");
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        priority[block] = key;
        tie[block] = tieKey;
        order[block] = entries++;
        heap[size] = block;
        position[block] = size++;
        up(size - 1);
    }

    void remove(int block) {
        if (!contains(block)) throw new IllegalStateException("block " + block + " is not a candidate");
        int at = position[block];
        int last = heap[--size];
        position[block] = -1;
        if (at == size) return;
        heap[at] = last;
        position[last] = at;
        up(at);
        down(position[last]);
    }

    /** Removes and returns the block with the smallest key, or -1 when empty. */
    int poll() {
        if (size == 0) return -1;
        int top = heap[0];
        remove(top);
        return top;
    }

    private boolean less(int a, int b) {
        if (priority[a] != priority[b]) return priority[a] < priority[b];
        if (tie[a] != tie[b]) return tie[a] < tie[b];
        return order[a] < order[b];
    }

    private void up(int i) {
        int block = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (!less(block, heap[parent])) break;
            heap[i] = heap[parent];
            position[heap[i]] = i;
            i = parent;
        }
        heap[i] = block;
        position[block] = i;
    }

    private void down(int i) {
        int block = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) break;
            if (child + 1 < size && less(heap[child + 1], heap[child])) child++;
            if (!less(heap[child], block)) break;
            heap[i] = heap[child];
            position[heap[i]] = i;
            i = child;
        }
        heap[i] = block;
        position[block] = i;
    }

    private void ensure(int block) {
        if (block < position.length) return;
        int capacity = Math.max(block + 1, position.length * 2);
        int old = position.length;
        position = Arrays.copyOf(position, capacity);
        Arrays.fill(position, old, capacity, -1);
        priority = Arrays.copyOf(priority, capacity);
        tie = Arrays.copyOf(tie, capacity);
        order = Arrays.copyOf(order, capacity);
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }
}

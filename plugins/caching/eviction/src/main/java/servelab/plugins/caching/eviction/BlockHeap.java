package servelab.plugins.caching.eviction;

import java.util.Arrays;
import servelab.common.collect.IntMinHeap;

/**
 * A min-heap of block ids ordered by a long key, then a long tie-breaker, then the order blocks entered the heap;
 * indexed by block id so any block can be removed in O(log n) ({@link IntMinHeap} under these keys). Every eviction
 * policy here is one of these heaps (or two) under a different key. Arrays grow to the largest block id seen.
 */
final class BlockHeap {
    private long[] priority = new long[1024];
    private long[] tie = new long[1024];
    private long[] order = new long[1024];
    private long entries;
    private final IntMinHeap heap = new IntMinHeap(1024, this::less);

    int size() {
        return heap.size();
    }

    boolean contains(int block) {
        return heap.contains(block);
    }

    /** Adds {@code block}, which must not be in the heap, under {@code key}; equal keys go smaller {@code tieKey} first. */
    void add(int block, long key, long tieKey) {
        if (heap.contains(block)) throw new IllegalStateException("block " + block + " is already a candidate");
        ensure(block);
        priority[block] = key;
        tie[block] = tieKey;
        order[block] = entries++;
        heap.update(block);
    }

    void remove(int block) {
        if (!contains(block)) throw new IllegalStateException("block " + block + " is not a candidate");
        heap.remove(block);
    }

    /** Removes and returns the block with the smallest key, or -1 when empty. */
    int poll() {
        return heap.poll();
    }

    private boolean less(int a, int b) {
        if (priority[a] != priority[b]) return priority[a] < priority[b];
        if (tie[a] != tie[b]) return tie[a] < tie[b];
        return order[a] < order[b];
    }

    private void ensure(int block) {
        if (block < priority.length) return;
        int capacity = Math.max(block + 1, priority.length * 2);
        priority = Arrays.copyOf(priority, capacity);
        tie = Arrays.copyOf(tie, capacity);
        order = Arrays.copyOf(order, capacity);
    }
}

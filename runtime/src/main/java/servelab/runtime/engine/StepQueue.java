package servelab.runtime.engine;

import java.util.function.IntPredicate;

/**
 * Which replica steps next: the one with work that is free soonest, the lowest index among equals. An indexed binary
 * min-heap over {@code (freeAt[r], r)}, so a cluster of thousands of replicas pays O(log n) per event rather than a
 * scan of every replica.
 *
 * <p>A replica is in the heap from the moment work is handed to it ({@link #update}, called whenever its free time
 * changes) until the heap finds it idle at the top ({@link #next}): a replica loses work inside a step, a crash or a
 * withdrawal, and is dropped lazily. Work only ever reaches a replica through a hand-over that calls {@link #update},
 * so every replica with work is in the heap, with its current free time.
 */
final class StepQueue {
    private final long[] freeAt;
    private final IntPredicate hasWork;
    /** Replica indexes in heap order. */
    private final int[] heap;
    /** Where each replica sits in {@link #heap}, -1 when it is not in it. */
    private final int[] position;
    private int size;

    /** @param freeAt each replica's free time, owned by the caller, which calls {@link #update} after changing one */
    StepQueue(long[] freeAt, IntPredicate hasWork) {
        this.freeAt = freeAt;
        this.hasWork = hasWork;
        this.heap = new int[freeAt.length];
        this.position = new int[freeAt.length];
        java.util.Arrays.fill(position, -1);
    }

    /** Replica {@code r} has (or may have) work, and {@code freeAt[r]} may have changed: it takes its place. */
    void update(int r) {
        int at = position[r];
        if (at < 0) {
            at = size++;
            heap[at] = r;
            position[r] = at;
        }
        siftDown(siftUp(at));
    }

    /** The replica with work that is free soonest (ties: the lowest index), or -1 when none has work. */
    int next() {
        while (size > 0 && !hasWork.test(heap[0])) remove(0);
        return size == 0 ? -1 : heap[0];
    }

    private void remove(int at) {
        int r = heap[at];
        position[r] = -1;
        int last = heap[--size];
        if (at == size) return;
        heap[at] = last;
        position[last] = at;
        siftDown(siftUp(at));
    }

    private boolean before(int a, int b) {
        return freeAt[a] < freeAt[b] || (freeAt[a] == freeAt[b] && a < b);
    }

    private int siftUp(int at) {
        int r = heap[at];
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (!before(r, heap[parent])) break;
            place(heap[parent], at);
            at = parent;
        }
        place(r, at);
        return at;
    }

    private void siftDown(int at) {
        int r = heap[at];
        while (true) {
            int child = 2 * at + 1;
            if (child >= size) break;
            if (child + 1 < size && before(heap[child + 1], heap[child])) child++;
            if (!before(heap[child], r)) break;
            place(heap[child], at);
            at = child;
        }
        place(r, at);
    }

    private void place(int r, int at) {
        heap[at] = r;
        position[r] = at;
    }
}

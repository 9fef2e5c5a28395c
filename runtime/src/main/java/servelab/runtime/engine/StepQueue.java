package servelab.runtime.engine;

import java.util.function.IntPredicate;
import servelab.common.collect.IntMinHeap;

/**
 * Which replica steps next: the one with work that is free soonest, the lowest index among equals. An indexed binary
 * min-heap ({@link IntMinHeap}) over {@code (freeAt[r], r)}, so a cluster of thousands of replicas pays O(log n) per event rather than a
 * scan of every replica.
 *
 * <p>A replica is in the heap from the moment work is handed to it ({@link #update}, called whenever its free time
 * changes) until the heap finds it idle at the top ({@link #next}): a replica loses work inside a step, a crash or a
 * withdrawal, and is dropped lazily. Work only ever reaches a replica through a hand-over that calls {@link #update},
 * so every replica with work is in the heap, with its current free time.
 */
final class StepQueue {
    private final IntPredicate hasWork;
    private final IntMinHeap heap;

    /** @param freeAt each replica's free time, owned by the caller, which calls {@link #update} after changing one */
    StepQueue(long[] freeAt, IntPredicate hasWork) {
        this.hasWork = hasWork;
        this.heap = new IntMinHeap(freeAt.length, (a, b) -> freeAt[a] < freeAt[b] || (freeAt[a] == freeAt[b] && a < b));
    }

    /** Replica {@code r} has (or may have) work, and {@code freeAt[r]} may have changed: it takes its place. */
    void update(int r) {
        heap.update(r);
    }

    /** The replica with work that is free soonest (ties: the lowest index), or -1 when none has work. */
    int next() {
        while (!heap.isEmpty() && !hasWork.test(heap.peek())) heap.poll();
        return heap.peek();
    }
}

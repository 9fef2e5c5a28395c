package servelab.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A broken pool tends to hang rather than fail, so every test here has a time limit. */
@Timeout(60)
class ParallelTest {
    private static final long MS = 1_000_000L;

    /** Runs a loop whose chunks each wait until two threads are inside one: only a pool whose worker helps finishes it. */
    private static void assertTwoThreadsTakePart(Parallel pool) throws InterruptedException {
        var inside = new CountDownLatch(2);
        pool.forRange(8, 1, (from, to) -> {
            inside.countDown();
            try {
                inside.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(0, inside.getCount(), "no second thread took a chunk");
    }

    @Test
    void everyIndexRunsOnceInTheSameChunksOnAnyThread() {
        for (int threads : new int[] {1, 2, 3}) {
            var pool = Parallel.of(threads);
            var counts = new AtomicIntegerArray(1000);
            Set<List<Integer>> chunks = ConcurrentHashMap.newKeySet();
            for (int repeat = 0; repeat < 50; repeat++) {
                pool.forRange(1000, 1, (from, to) -> {
                    chunks.add(List.of(from, to));
                    for (int i = from; i < to; i++) counts.incrementAndGet(i);
                });
            }
            for (int i = 0; i < 1000; i++) assertEquals(50, counts.get(i), threads + " threads, index " + i);
            int expected = threads == 1 ? 1 : threads * Parallel.CHUNKS_PER_THREAD;
            assertEquals(expected, chunks.size(), threads + " threads: the chunk boundaries never vary");
        }
    }

    /**
     * A loop started from inside a body (the pool is busy) runs inline on that thread, with every index once. Chunk
     * 0 starts the inner loops after chunk 1, which does nothing, is done: when the caller runs chunk 0, the worker
     * is idle, and were the inner loops offered to it, it would take some of their chunks.
     */
    @Test
    void aLoopStartedInsideALoopRunsInlineOnItsThread() {
        var pool = Parallel.of(2);
        var innerLoops = new java.util.concurrent.atomic.AtomicInteger();
        var secondDone = new CountDownLatch(1);
        pool.forRange(2, 1, (from, to) -> {
            if (from != 0) {
                secondDone.countDown();
                return;
            }
            try {
                secondDone.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            var outer = Thread.currentThread();
            for (int row = 0; row < 8; row++) {
                var counts = new AtomicIntegerArray(100);
                pool.forRange(100, 1, (a, b) -> {
                    assertSame(outer, Thread.currentThread(), "an inner chunk ran on another thread");
                    for (int i = a; i < b; i++) counts.incrementAndGet(i);
                    try {
                        Thread.sleep(1); // long enough for an idle worker to take chunks, were they offered
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                for (int i = 0; i < 100; i++) assertEquals(1, counts.get(i), "index " + i);
                innerLoops.incrementAndGet();
            }
        });
        assertEquals(8, innerLoops.get());
    }

    @Test
    void twoCallersOfOnePoolBothGetEveryIndex() throws Exception {
        var pool = Parallel.of(2);
        var sums = new long[2];
        var callers = new ArrayList<Thread>();
        for (int c = 0; c < 2; c++) {
            int caller = c;
            callers.add(Thread.ofPlatform().start(() -> {
                for (int repeat = 0; repeat < 200; repeat++) {
                    var counts = new AtomicIntegerArray(500);
                    pool.forRange(500, 1, (from, to) -> {
                        for (int i = from; i < to; i++) counts.incrementAndGet(i);
                    });
                    for (int i = 0; i < 500; i++) sums[caller] += counts.get(i);
                }
            }));
        }
        for (var t : callers) t.join(30_000);
        assertEquals(200 * 500, sums[0]);
        assertEquals(200 * 500, sums[1]);
    }

    /** A chunk's exception reaches the caller after every chunk ran, and the pool's worker still helps the next loop. */
    @Test
    void aFailingChunkIsRethrownAndThePoolGoesOn() throws InterruptedException {
        var pool = Parallel.of(2);
        var counts = new AtomicIntegerArray(8);
        var e = assertThrows(IllegalStateException.class, () -> pool.forRange(8, 1, (from, to) -> {
            counts.incrementAndGet(from);
            if (from == 3) throw new IllegalStateException("chunk 3");
        }));
        assertEquals("chunk 3", e.getMessage());
        for (int i = 0; i < 8; i++) assertEquals(1, counts.get(i), "chunk " + i + " ran");
        assertTwoThreadsTakePart(pool);
    }

    /** Workers spin briefly, park, and end when idle for long; the next loop starts them again. */
    @Test
    void idleWorkersEndAndTheNextLoopStartsThemAgain() throws InterruptedException {
        var pool = new Parallel(2, 0, 50 * MS);
        assertTwoThreadsTakePart(pool);
        assertTrue(pool.workerAlive(0), "the worker lives right after a loop");
        long deadline = System.nanoTime() + 5_000 * MS;
        while (pool.workerAlive(0) && System.nanoTime() < deadline) Thread.sleep(10);
        assertFalse(pool.workerAlive(0), "an idle worker ends");
        assertTwoThreadsTakePart(pool);
        assertTrue(pool.workerAlive(0), "the next loop started a worker");
    }
}

package servelab.kernels;

import java.util.ArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small fixed pool that splits an index range into contiguous chunks, a few per thread, which the threads take in
 * turn; the calling thread takes chunks too, so a pool of {@code threads} keeps {@code threads - 1} workers. More
 * chunks than threads lets a thread that the OS preempted (another job on a shared machine) fall behind without the
 * whole loop waiting for it. Ranges smaller than the grain run inline: forking costs microseconds, which a small
 * matrix does not repay.
 *
 * <p>Thread-safe; worker threads are daemons and the pool lives as long as its owner keeps it.
 */
public final class Parallel {
    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static final Parallel SERIAL = new Parallel(1);

    private final int threads;
    private final ForkJoinPool workers;

    private Parallel(int threads) {
        this.threads = threads;
        this.workers = threads == 1 ? null : new ForkJoinPool(threads - 1);
    }

    /** A pool of {@code threads} (the caller and {@code threads - 1} workers); 1 means run everything inline. */
    public static Parallel of(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, was " + threads);
        }
        return threads == 1 ? SERIAL : new Parallel(threads);
    }

    /** Runs everything on the calling thread. */
    public static Parallel serial() {
        return SERIAL;
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into contiguous chunks of at least {@code grain} indices (up to
     * {@value #CHUNKS_PER_THREAD} per thread), and returns when all are done. Which thread runs which chunk varies;
     * the chunk boundaries do not. An exception in any chunk is rethrown here.
     */
    public void forRange(int n, int grain, Range body) {
        int chunks = Math.min(threads * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || threads == 1) {
            body.run(0, n);
            return;
        }
        var next = new AtomicInteger();
        Runnable worker = () -> {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
            }
        };
        var forked = new ArrayList<ForkJoinTask<?>>(threads - 1);
        for (int t = 1; t < Math.min(threads, chunks); t++) {
            forked.add(workers.submit(worker));
        }
        worker.run();
        for (var task : forked) {
            task.join();
        }
    }

    /** Chunks per thread: enough to rebalance around a preempted thread, few enough to keep chunks long. */
    static final int CHUNKS_PER_THREAD = 4;
}

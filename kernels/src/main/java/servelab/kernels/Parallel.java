package servelab.kernels;

import java.util.ArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * A small fixed pool that splits an index range into one contiguous chunk per thread. The calling thread runs the
 * first chunk itself, so a pool of {@code threads} keeps {@code threads - 1} workers. Ranges smaller than the grain
 * run inline: forking costs microseconds, which a small matrix does not repay.
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
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} contiguous chunks of at least
     * {@code grain} indices each, and returns when all are done. An exception in any chunk is rethrown here.
     */
    public void forRange(int n, int grain, Range body) {
        int chunks = Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        var forked = new ArrayList<ForkJoinTask<?>>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            forked.add(workers.submit(() -> body.run(from, to)));
        }
        body.run(0, (int) ((long) n / chunks));
        for (var task : forked) {
            task.join();
        }
    }
}

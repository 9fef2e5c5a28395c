package servelab.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fixed pool that splits an index range into contiguous chunks, a few per thread, which the threads take in
 * turn; the calling thread takes chunks too, so a pool of {@code threads} keeps {@code threads - 1} workers. More
 * chunks than threads lets a thread that the OS preempted (another job on a shared machine) fall behind without the
 * whole loop waiting for it: the others take its chunks. Ranges smaller than the grain run inline: forking costs
 * microseconds, which a small matrix does not repay.
 *
 * <p><b>Waiting.</b> A decode step calls a loop a hundred times or more, with a little serial work between the calls.
 * A worker that parks as soon as a loop ends has to be woken for the next one, which costs tens of microseconds on a
 * virtual machine, each time. So a worker that finds no work spins for {@link #SPIN_NANOS} first (as does the caller
 * waiting for the last chunk), and only then parks. The spin is bounded: under a neighbour's load a worker gives its
 * core back after that long, and a preempted worker's chunks go to the others. Workers idle for
 * {@link #IDLE_EXIT_NANOS} end, and the next loop starts them again.
 *
 * <p>Thread-safe: a loop started while another runs on the same pool (from another thread, or from inside a body)
 * runs inline on its caller, with the same chunk boundaries. Worker threads are daemons.
 */
public final class Parallel {
    /** Body of a parallel loop over {@code [from, to)}. */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    /**
     * How long an idle worker, or a caller waiting for the last chunk, spins before parking:
     * {@code -Dservelab.parallel.spin.us}, default 50 (0: park at once, as a {@code ForkJoinPool} worker does).
     */
    static final long SPIN_NANOS = Long.getLong("servelab.parallel.spin.us", 50) * 1_000;
    /** How long a parked worker waits for a loop before it ends. */
    static final long IDLE_EXIT_NANOS = 10_000_000_000L;

    private static final Parallel SERIAL = new Parallel(1);

    private final int threads;
    private final long spinNanos;
    private final long idleExitNanos;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The loop the workers should help with; a new object for every loop. */
    private volatile Loop loop;

    private Parallel(int threads) {
        this(threads, SPIN_NANOS, IDLE_EXIT_NANOS);
    }

    /** A pool with its own spin and idle times (tests). */
    Parallel(int threads, long spinNanos, long idleExitNanos) {
        this.threads = threads;
        this.spinNanos = spinNanos;
        this.idleExitNanos = idleExitNanos;
        this.workers = new Worker[threads - 1];
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
        if (!busy.compareAndSet(false, true)) {
            for (int c = 0; c < chunks; c++) {   // the pool is in use: inline, the same chunks
                body.run(bound(n, c, chunks), bound(n, c + 1, chunks));
            }
            return;
        }
        try {
            var current = new Loop(n, chunks, body, Thread.currentThread());
            loop = current;
            for (int i = 0; i < workers.length; i++) {
                var w = workers[i];
                if (w == null || !w.alive) {
                    workers[i] = w = new Worker(this);
                    w.thread.start();
                } else if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            current.work();
            long start = System.nanoTime();
            while (current.finished.get() < chunks) {
                if (System.nanoTime() - start < spinNanos) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            var failure = current.failure.get();
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            loop = null;
            busy.set(false);
        }
    }

    private static int bound(int n, int c, int chunks) {
        return (int) ((long) n * c / chunks);
    }

    /** Chunks per thread: enough to rebalance around a preempted thread, few enough to keep chunks long. */
    static final int CHUNKS_PER_THREAD = 4;

    /** One call of {@link #forRange}: its chunks go to whichever thread takes the next one. */
    private static final class Loop {
        final int n;
        final int chunks;
        final Range body;
        final Thread caller;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Loop(int n, int chunks, Range body, Thread caller) {
            this.n = n;
            this.chunks = chunks;
            this.body = body;
            this.caller = caller;
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    body.run(bound(n, c, chunks), bound(n, c + 1, chunks));
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
                if (finished.incrementAndGet() == chunks) {
                    LockSupport.unpark(caller);
                }
            }
        }
    }

    /** Whether slot {@code i}'s worker thread is running (tests). */
    boolean workerAlive(int i) {
        var w = workers[i];
        return w != null && w.alive && w.thread.isAlive();
    }

    private static final class Worker implements Runnable {
        final Parallel pool;
        final Thread thread;
        volatile boolean parked;
        volatile boolean alive = true;
        private Loop done;

        Worker(Parallel pool) {
            this.pool = pool;
            this.thread = new Thread(this, "servelab-parallel");
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            long idleSince = System.nanoTime();
            while (true) {
                var current = pool.loop;
                if (current != null && current != done) {
                    done = current;
                    current.work();
                    idleSince = System.nanoTime();
                    continue;
                }
                long idle = System.nanoTime() - idleSince;
                if (idle < pool.spinNanos) {
                    Thread.onSpinWait();
                    continue;
                }
                parked = true;
                current = pool.loop;
                if (current == null || current == done) {
                    LockSupport.parkNanos(this, pool.idleExitNanos);
                }
                parked = false;
                current = pool.loop;
                if ((current == null || current == done) && System.nanoTime() - idleSince >= pool.idleExitNanos) {
                    alive = false;   // the next loop starts a new worker in this slot
                    current = pool.loop;
                    if (current != null && current != done) {
                        current.work();   // a loop published meanwhile: help it, then end
                    }
                    return;
                }
            }
        }
    }
}

package servelab.serve;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A streamed answer's body whose every write must finish within {@code serve.write_timeout_s}. A client that stops
 * reading fills the socket's buffers, and the next write blocks; without a deadline it blocked for as long as the
 * connection lived, holding a thread and one of the server's connections. At the deadline the writing thread is
 * interrupted, which closes the socket (the JDK's channels do so on an interrupt), and the write ends in a
 * {@link Stalled}.
 */
final class DeadlineOutput extends FilterOutputStream {
    /** The write did not finish within the deadline: the client stopped reading. */
    static final class Stalled extends IOException {
        Stalled(int seconds) {
            super("the client read nothing for " + seconds + " s (serve.write_timeout_s)");
        }
    }

    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final int seconds;
    private final Thread writer = Thread.currentThread();
    private boolean writing;
    private boolean expired;

    DeadlineOutput(OutputStream out, int seconds) {
        super(out);
        this.seconds = seconds;
    }

    private static ScheduledThreadPoolExecutor timer() {
        var timer = (ScheduledThreadPoolExecutor) Executors.newScheduledThreadPool(1, task -> {
            var thread = new Thread(task, "servelab-write-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true); // a deadline met leaves nothing queued
        return timer;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        var deadline = begin();
        try {
            out.write(b, off, len);
        } finally {
            end(deadline);
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void flush() throws IOException {
        var deadline = begin();
        try {
            out.flush();
        } finally {
            end(deadline);
        }
    }

    private ScheduledFuture<?> begin() throws Stalled {
        synchronized (this) {
            if (expired) throw new Stalled(seconds);
            writing = true;
        }
        return TIMER.schedule(this::expire, seconds, TimeUnit.SECONDS);
    }

    private synchronized void expire() {
        if (!writing) return;
        expired = true;
        writer.interrupt();
    }

    /** Ends a write; one the deadline caught ends in {@link Stalled}, its interrupt cleared, however it ended. */
    private void end(ScheduledFuture<?> deadline) throws Stalled {
        deadline.cancel(false);
        synchronized (this) {
            writing = false;
            if (expired) {
                Thread.interrupted(); // the interrupt may have come just after the write finished
                throw new Stalled(seconds);
            }
        }
    }
}

package servelab.runtime.experiment;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import servelab.runtime.host.HostListener;

/**
 * Says on the console when no engine step has ended for a while, and where the engine's thread is: a policy that
 * never returns (a loop, a lock, a sleep) stopped a run with no word, while {@code ctl} went on answering. Nothing
 * is interrupted: a long step of a real model on a CPU looks the same, and the message shows which it is.
 *
 * <p>The wait is {@code -Dservelab.stall.s} seconds (default 30; 0 turns the watch off). One message per stall.
 */
final class StallWatch implements AutoCloseable {
    private final Thread engine;
    private final HostListener console;
    private final long limitNanos;
    private final Thread watcher;
    /** Steps ended so far: a count, so the engine's per-step cost is one increment, not a clock read. */
    private volatile long steps;
    private volatile boolean closed;

    /** A watch of the calling thread, the one that runs the engine; it starts watching at {@link #start}. */
    StallWatch(HostListener console) {
        this.engine = Thread.currentThread();
        this.console = console;
        this.limitNanos = TimeUnit.SECONDS.toNanos(Long.getLong("servelab.stall.s", 30));
        this.watcher = Thread.ofPlatform().name("servelab-stall-watch").daemon().unstarted(this::watch);
    }

    /** Starts watching (at the replay's start: loading a model before it is not a stall). */
    void start() {
        if (limitNanos > 0) watcher.start();
    }

    /** A step ended (called on the engine's thread after each step; it alone writes the count). */
    void stepped() {
        steps++;
    }

    private void watch() {
        long seen = steps, since = System.nanoTime(); // the count last seen, and when it last changed
        boolean said = false; // this stall was said already
        while (!closed) {
            try {
                Thread.sleep(Math.max(10, Math.min(1000, limitNanos / 4_000_000)));
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            if (steps != seen) {
                seen = steps;
                since = now;
                said = false;
                continue;
            }
            if (now - since < limitNanos || said || closed) continue;
            said = true;
            console.report("info", "", "", "", "no engine step has ended for " + TimeUnit.NANOSECONDS.toSeconds(
                    now - since) + " s; the engine is in " + where() + " (a policy that never returns "
                    + "stops the run: nothing times it out; -Dservelab.stall.s sets this wait)");
        }
    }

    /** The engine thread's innermost frames outside the JDK: the plugin or kernel it is running. */
    private String where() {
        var frames = new ArrayList<String>();
        for (var frame : engine.getStackTrace()) {
            String cls = frame.getClassName();
            if (cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.")) continue;
            frames.add(cls + "." + frame.getMethodName() + (frame.getLineNumber() > 0 ? ":" + frame.getLineNumber() : ""));
            if (frames.size() == 3) break;
        }
        return frames.isEmpty() ? "the JDK" : String.join(" < ", frames);
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
    }
}

package servelab.runtime.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a run: a progress bar (requests done, simulated time in the extra field) on a terminal, and a plain
 * line every five seconds when output goes to a file or a pipe.
 */
abstract class Progress implements AutoCloseable {
    abstract void update(long requestsDone, long simulatedNanos);

    @Override
    public void close() {}

    static Progress silent() {
        return new Progress() {
            @Override
            void update(long requestsDone, long simulatedNanos) {}
        };
    }

    static Progress forTerminal(String task) {
        return Terminal.stderr() ? new Bar(task) : new Lines(task);
    }

    /**
     * Progress of a job of known size (calibration: steps measured of planned): a bar on a terminal, else a line
     * every five seconds. {@code update(done, total)}; the total may grow as the job learns its size.
     */
    static Counter counter(String task, String unit) {
        return Terminal.stderr() ? new CounterBar(task, unit)
                : new Counter(task, unit);
    }

    /** Lines on a pipe; {@link CounterBar} on a terminal. */
    static class Counter implements AutoCloseable {
        private final String task;
        private final String unit;
        private long lastNanos = System.nanoTime();

        Counter(String task, String unit) {
            this.task = task;
            this.unit = unit;
        }

        void update(long done, long total) {
            long now = System.nanoTime();
            if (now - lastNanos < 5_000_000_000L && done < total) return;
            lastNanos = now;
            System.err.printf("servelab %s: %,d of %,d %s%n", task, done, total, unit);
        }

        @Override
        public void close() {}
    }

    private static final class CounterBar extends Counter {
        private final ProgressBar bar;

        CounterBar(String task, String unit) {
            super(task, unit);
            bar = new ProgressBarBuilder().setTaskName(task).setUnit(" " + unit, 1).setInitialMax(-1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().build();
        }

        @Override
        void update(long done, long total) {
            if (bar.getMax() != total) bar.maxHint(total);
            bar.stepTo(done);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class Bar extends Progress {
        private final ProgressBar bar;
        private long lastNanos;

        Bar(String task) {
            bar = new ProgressBarBuilder().setTaskName(task).setUnit(" req", 1).setInitialMax(-1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate().build();
        }

        @Override
        void update(long requestsDone, long simulatedNanos) {
            long now = System.nanoTime();
            if (now - lastNanos < 50_000_000L) return; // the engine steps far faster than a terminal redraws
            lastNanos = now;
            bar.stepTo(requestsDone);
            bar.setExtraMessage(String.format(" simulated %.1f s", simulatedNanos / 1e9));
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class Lines extends Progress {
        private final String task;
        private final long start = System.nanoTime();
        private long lastNanos = start;

        Lines(String task) {
            this.task = task;
        }

        @Override
        void update(long requestsDone, long simulatedNanos) {
            long now = System.nanoTime();
            if (now - lastNanos < 5_000_000_000L) return;
            lastNanos = now;
            System.err.printf("servelab %s: %,d requests done, simulated %.1f s, wall %.1f s%n", task, requestsDone,
                    simulatedNanos / 1e9, (now - start) / 1e9);
        }
    }
}

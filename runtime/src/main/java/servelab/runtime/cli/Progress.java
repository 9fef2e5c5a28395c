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
        return System.console() != null && System.console().isTerminal() ? new Bar(task) : new Lines(task);
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

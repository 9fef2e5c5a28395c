package servelab.sweep;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a sweep: points done (of those this run has to do), running and failed, with an ETA. A progress bar
 * on a terminal, a plain line every five seconds when output goes to a file or a pipe, or nothing.
 */
public sealed interface SweepProgress extends AutoCloseable permits SweepProgress.Bar, SweepProgress.Lines, SweepProgress.Silent {

    /** @param done finished points (ok or failed) of {@code total}; @param running started and not finished */
    void update(int done, int running, int failed, int total);

    @Override
    default void close() {}

    public static SweepProgress forTerminal(String task, boolean quiet) {
        if (quiet) return new Silent();
        return servelab.runtime.cli.Terminal.stderr() ? new Bar(task) : new Lines(task);
    }

    record Silent() implements SweepProgress {
        @Override
        public void update(int done, int running, int failed, int total) {}
    }

    final class Bar implements SweepProgress {
        private final ProgressBar bar;

        Bar(String task) {
            bar = new ProgressBarBuilder().setTaskName(task).setUnit(" points", 1).setInitialMax(1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build();
        }

        @Override
        public void update(int done, int running, int failed, int total) {
            bar.maxHint(total);
            bar.stepTo(done);
            bar.setExtraMessage(String.format(" running %d, failed %d", running, failed));
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    final class Lines implements SweepProgress {
        private final String task;
        private final long start = System.nanoTime();
        private long last = start;

        Lines(String task) {
            this.task = task;
        }

        @Override
        public void update(int done, int running, int failed, int total) {
            long now = System.nanoTime();
            if (now - last < 5_000_000_000L) return;
            last = now;
            double elapsed = (now - start) / 1e9;
            String eta = done == 0 ? "?" : String.format("%.0f s", elapsed / done * (total - done));
            System.err.printf("servelab %s: %d/%d points done, %d running, %d failed, %.0f s, ETA %s%n", task, done, total,
                    running, failed, elapsed, eta);
        }
    }
}

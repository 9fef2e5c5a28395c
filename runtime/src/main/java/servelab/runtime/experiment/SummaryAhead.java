package servelab.runtime.experiment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import servelab.runtime.record.ResultTable;
import servelab.runtime.record.Slo;
import servelab.runtime.report.Summary;

/**
 * The requests' summary of a closing run, read from requests.arrow on a thread of its own as soon as that file is
 * complete, while the recorder converts the other tables: the two took turns at the end of every run (in a cold run
 * of the Azure slice, 0.15 s of summary after 0.08 s of conversion).
 */
final class SummaryAhead {
    private final Path runDir;
    private final Slo slo;
    private final CompletableFuture<Summary> summary = new CompletableFuture<>();
    private volatile boolean started;

    SummaryAhead(Path runDir, Slo slo) {
        this.runDir = runDir;
        this.slo = slo;
    }

    /** What {@link servelab.runtime.record.RunRecorder#close(java.util.function.Consumer)} says of each table. */
    void converted(ResultTable table) {
        if (table != ResultTable.REQUESTS) return;
        started = true;
        Thread.ofPlatform().name("servelab-summary").daemon(true).start(() -> {
            try {
                summary.complete(Summary.compute(runDir, slo));
            } catch (IOException | RuntimeException | Error e) {
                summary.completeExceptionally(e);
            }
        });
    }

    /** The summary; computed here if requests.arrow never reported complete (its error is then the one to say). */
    Summary get() throws IOException {
        if (!started) return Summary.compute(runDir, slo);
        try {
            return summary.join();
        } catch (CompletionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException r -> throw r;
                case Error error -> throw error;
                default -> throw new UncheckedIOException(new IOException(e.getCause()));
            }
        }
    }
}

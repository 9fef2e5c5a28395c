package servelab.runtime.record;

import java.util.Objects;

/**
 * How a {@link RunRecorder} buffers and what it derives.
 *
 * @param requestBatchRows   requests buffered before a record batch is written (and survives a kill)
 * @param iterationBatchRows iterations buffered before a record batch is written
 * @param eventBatchRows     events buffered before a record batch is written; small, since events are rare and a
 *                           fault event is what one wants to see after a crash
 * @param slo                objectives for the {@code slo_met} column; {@link Slo#NONE} leaves it null
 */
public record RecorderOptions(int requestBatchRows, int iterationBatchRows, int eventBatchRows, Slo slo) {

    public RecorderOptions {
        Objects.requireNonNull(slo, "RecorderOptions.slo");
        positive("requestBatchRows", requestBatchRows);
        positive("iterationBatchRows", iterationBatchRows);
        positive("eventBatchRows", eventBatchRows);
    }

    /** 4096 requests or iterations per batch, 64 events, no SLOs. */
    public static RecorderOptions defaults() {
        return new RecorderOptions(4096, 4096, 64, Slo.NONE);
    }

    public RecorderOptions withSlo(Slo newSlo) {
        return new RecorderOptions(requestBatchRows, iterationBatchRows, eventBatchRows, newSlo);
    }

    /** The same number of rows per batch for every table (tests use tiny batches). */
    public RecorderOptions withBatchRows(int rows) {
        return new RecorderOptions(rows, rows, rows, slo);
    }

    private static void positive(String field, int value) {
        if (value <= 0) throw new IllegalArgumentException("RecorderOptions." + field + " must be > 0, was " + value);
    }
}

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
 * @param requestFlushNanos  rows of every table (finished requests, iterations, events, cluster ticks) are also
 *                           written (and survive a kill) once the oldest buffered one is this old in wall time, so a
 *                           kill loses at most about this much of each; 0: by count only. The {@code .arrow} files are
 *                           re-cut into their batch sizes when converted, so their bytes do not depend on timing.
 * @param schedulerCpu       write each iteration row's {@code scheduler_cpu_ns} as it is; false writes 0 (the
 *                           default of an experiment, whose rows must not differ between identical runs)
 */
public record RecorderOptions(int requestBatchRows, int iterationBatchRows, int eventBatchRows, Slo slo,
                              long requestFlushNanos, boolean schedulerCpu) {

    /** One second: a killed run keeps every request that finished more than about a second before the kill. */
    public static final long DEFAULT_REQUEST_FLUSH_NANOS = 1_000_000_000L;

    public RecorderOptions {
        Objects.requireNonNull(slo, "RecorderOptions.slo");
        positive("requestBatchRows", requestBatchRows);
        positive("iterationBatchRows", iterationBatchRows);
        positive("eventBatchRows", eventBatchRows);
        if (requestFlushNanos < 0) {
            throw new IllegalArgumentException("RecorderOptions.requestFlushNanos must be >= 0, was " + requestFlushNanos);
        }
    }

    /** Scheduler CPU times written as the rows have them. */
    public RecorderOptions(int requestBatchRows, int iterationBatchRows, int eventBatchRows, Slo slo,
                           long requestFlushNanos) {
        this(requestBatchRows, iterationBatchRows, eventBatchRows, slo, requestFlushNanos, true);
    }

    public RecorderOptions(int requestBatchRows, int iterationBatchRows, int eventBatchRows, Slo slo) {
        this(requestBatchRows, iterationBatchRows, eventBatchRows, slo, DEFAULT_REQUEST_FLUSH_NANOS);
    }

    /** 4096 requests or iterations per batch (requests also every second), 64 events, no SLOs, CPU times as given. */
    public static RecorderOptions defaults() {
        return new RecorderOptions(4096, 4096, 64, Slo.NONE, DEFAULT_REQUEST_FLUSH_NANOS, true);
    }

    public RecorderOptions withSlo(Slo newSlo) {
        return new RecorderOptions(requestBatchRows, iterationBatchRows, eventBatchRows, newSlo, requestFlushNanos,
                schedulerCpu);
    }

    /** The same number of rows per batch for every table (tests use tiny batches). */
    public RecorderOptions withBatchRows(int rows) {
        return new RecorderOptions(rows, rows, rows, slo, requestFlushNanos, schedulerCpu);
    }

    /** Requests written after this much wall time as well as by count (0: by count only). */
    public RecorderOptions withRequestFlushNanos(long nanos) {
        return new RecorderOptions(requestBatchRows, iterationBatchRows, eventBatchRows, slo, nanos, schedulerCpu);
    }

    /** Iteration rows' {@code scheduler_cpu_ns} written as they are ({@code true}) or as 0. */
    public RecorderOptions withSchedulerCpu(boolean keep) {
        return new RecorderOptions(requestBatchRows, iterationBatchRows, eventBatchRows, slo, requestFlushNanos, keep);
    }

    private static void positive(String field, int value) {
        if (value <= 0) throw new IllegalArgumentException("RecorderOptions." + field + " must be > 0, was " + value);
    }
}

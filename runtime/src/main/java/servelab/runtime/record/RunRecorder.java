package servelab.runtime.record;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Records one run into a folder: {@code requests}, {@code iterations}, {@code events} and {@code cluster} tables (Arrow IPC) and
 * {@code run.json}. See runtime/RESULTS-SCHEMA.md for every column.
 *
 * <p>Cost: a row is a few stores into Arrow vectors; every {@link RecorderOptions#requestBatchRows()} rows (and so
 * on) a record batch goes to the table's {@code .arrows} stream file, so a killed run keeps every complete batch.
 * {@link #close()} converts the streams to {@code .arrow} files; {@link #recover(Path)} does the same for the
 * streams a killed run left. Identical rows give byte-identical {@code .arrow} files: nothing in them depends on
 * the wall clock or on hash order.
 *
 * <p>Row methods may be called from several threads (each table is locked on its own); a table's row order is the
 * order of the calls. They throw {@link UncheckedIOException} when writing a batch fails, so the engine's step
 * loop does not carry checked exceptions.
 *
 * {@snippet :
 * try (var recorder = RunRecorder.create(Path.of("runs/fcfs-1"), RecorderOptions.defaults())) {
 *     recorder.writeRunJson(runInfo);          // plugins, trace, seed ... in the order given
 *     recorder.iteration(iterationRow);        // once per engine step
 *     recorder.request(requestRow);            // once per finished or failed request
 * }                                           // now requests.arrow, iterations.arrow, events.arrow exist
 * }
 */
public final class RunRecorder implements AutoCloseable {

    private final Path runDir;
    private final Slo slo;
    private final RecorderOptions opts;
    private final long requestFlushNanos;
    private final BufferAllocator allocator;
    private final TableWriter<TableColumns.RequestEntry> requests;
    private final TableWriter<IterationRow> iterations;
    private final TableWriter<EventRow> events;
    private final TableWriter<ClusterRow> cluster;
    private boolean closed;
    /** The time bound's timer (null without one): writes what a quiet table holds. */
    private final java.util.concurrent.ScheduledFuture<?> flusher;

    /** One daemon thread for every recorder's timer (a sweep runs many). */
    private static final java.util.concurrent.ScheduledExecutorService TIMER =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform()
                    .name("servelab-recorder-flush").daemon().unstarted(r));

    private RunRecorder(Path runDir, RecorderOptions opts, BufferAllocator allocator,
                        TableWriter<TableColumns.RequestEntry> requests, TableWriter<IterationRow> iterations,
                        TableWriter<EventRow> events, TableWriter<ClusterRow> cluster) {
        this.runDir = runDir;
        this.slo = opts.slo();
        this.opts = opts;
        this.requestFlushNanos = opts.requestFlushNanos();
        this.allocator = allocator;
        this.requests = requests;
        this.iterations = iterations;
        this.events = events;
        this.cluster = cluster;
        long period = Math.max(50_000_000L, requestFlushNanos / 4);
        this.flusher = requestFlushNanos <= 0 ? null
                : TIMER.scheduleAtFixedRate(this::flushDue, period, period, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /** On the timer's thread; a write that fails here fails again, and is reported, at the next append or close. */
    private void flushDue() {
        for (var writer : List.of(requests, iterations, events, cluster)) {
            try {
                writer.flushIfDue();
            } catch (IOException | RuntimeException e) {
                // left to the engine's thread to report
            }
        }
    }

    /**
     * Creates {@code runDir} if needed and opens the three table streams.
     *
     * @throws IOException when the folder already holds results (nothing is overwritten) or cannot be written
     */
    public static RunRecorder create(Path runDir, RecorderOptions opts) throws IOException {
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(opts, "opts");
        requireNoResults(runDir);
        Files.createDirectories(runDir);
        var allocator = new RootAllocator();
        var opened = new ArrayList<AutoCloseable>();
        try {
            var req = TableWriter.open(ResultTable.REQUESTS, TableColumns.requests(),
                    runDir.resolve(ResultTable.REQUESTS.streamFileName()), opts.requestBatchRows(),
                    opts.requestFlushNanos(), allocator);
            opened.add(req);
            var it = TableWriter.open(ResultTable.ITERATIONS, TableColumns.iterations(opts.schedulerCpu()),
                    runDir.resolve(ResultTable.ITERATIONS.streamFileName()), opts.iterationBatchRows(),
                    opts.requestFlushNanos(), allocator);
            opened.add(it);
            var ev = TableWriter.open(ResultTable.EVENTS, TableColumns.events(),
                    runDir.resolve(ResultTable.EVENTS.streamFileName()), opts.eventBatchRows(), opts.requestFlushNanos(),
                    allocator);
            opened.add(ev);
            var cl = TableWriter.open(ResultTable.CLUSTER, TableColumns.cluster(),
                    runDir.resolve(ResultTable.CLUSTER.streamFileName()), opts.iterationBatchRows(),
                    opts.requestFlushNanos(), allocator);
            return new RunRecorder(runDir, opts, allocator, req, it, ev, cl);
        } catch (IOException | RuntimeException e) {
            for (var c : opened.reversed()) closeQuietly(c, e);
            allocator.close();
            throw e;
        }
    }

    /** Rows per record batch of {@code table}, as its writer was opened. */
    private int batchRows(ResultTable table) {
        return switch (table) {
            case REQUESTS -> opts.requestBatchRows();
            case ITERATIONS, CLUSTER -> opts.iterationBatchRows();
            case EVENTS -> opts.eventBatchRows();
        };
    }

    /** Records a finished or failed request, with its derived metrics (TTFT, TPOT, ITL, E2EL, SLO). */
    public void request(RequestRow row) {
        var entry = new TableColumns.RequestEntry(row, RequestMetrics.of(row, slo));
        try {
            requests.append(entry);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(ResultTable.REQUESTS.streamFileName()) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Records one engine step of one replica. */
    public void iteration(IterationRow row) {
        try {
            iterations.append(row);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(ResultTable.ITERATIONS.streamFileName()) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Records an event (swap, fault, preempt, info). */
    public void event(EventRow row) {
        try {
            events.append(row);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(ResultTable.EVENTS.streamFileName()) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Records one tick of one replica (or of the cluster front) in the cluster time series. */
    public void cluster(ClusterRow row) {
        try {
            cluster.append(row);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(ResultTable.CLUSTER.streamFileName()) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code run.json}: pretty-printed, keys in the map's iteration order (pass a {@link java.util.LinkedHashMap}
     * for a stable file). Replaces an earlier run.json atomically, so it can be written at start and again at end.
     */
    public void writeRunJson(Map<String, Object> runInfo) throws IOException {
        Json.write(runDir.resolve("run.json"), runInfo);
    }

    /** Closes the streams and converts each into its {@code .arrow} file. Calling it again does nothing. */
    @Override
    public void close() throws IOException {
        close(table -> { });
    }

    /**
     * As {@link #close()}, telling {@code converted} of each table as soon as its {@code .arrow} file is complete (a
     * reader of that file can start then, while the others convert).
     */
    public synchronized void close(java.util.function.Consumer<ResultTable> converted) throws IOException {
        if (closed) return;
        closed = true;
        if (flusher != null) flusher.cancel(false);
        IOException failure = null;
        for (var writer : List.of(requests, iterations, events, cluster)) {
            try {
                writer.close();
            } catch (IOException | RuntimeException e) {
                failure = chain(failure, e);
            }
        }
        for (var t : ResultTable.values()) {
            try {
                // every table may have been written by time as well as by count (a kill loses at most the last
                // second of any of them): re-cut each by count, so the files do not depend on the machine's speed
                int rebatch = requestFlushNanos > 0 ? batchRows(t) : 0;
                StreamToFile.convert(runDir, t, allocator, false, rebatch);
                converted.accept(t);
            } catch (IOException | RuntimeException e) {
                failure = chain(failure, new IOException("cannot convert " + runDir.resolve(t.streamFileName())
                        + " to " + t.fileName() + "; `servelab recover " + runDir + "` can retry", e));
            }
        }
        allocator.close();
        if (failure != null) throw failure;
    }

    /**
     * Converts the {@code .arrows} streams a killed run left in {@code runDir} into {@code .arrow} files, keeping
     * every complete record batch. A table whose {@code .arrow} already exists (the kill came after its conversion)
     * only loses its leftover stream. Tables with nothing to recover are not listed.
     */
    public static List<Recovery> recover(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) throw new IOException("no run folder " + runDir);
        var recovered = new ArrayList<Recovery>();
        try (var allocator = new RootAllocator()) {
            for (var t : ResultTable.values()) {
                Path stream = runDir.resolve(t.streamFileName());
                if (!Files.exists(stream)) continue;
                if (Files.exists(runDir.resolve(t.fileName()))) {
                    Files.delete(stream);
                    continue;
                }
                try {
                    recovered.add(StreamToFile.convert(runDir, t, allocator, true));
                } catch (IOException e) { // a full disk said only "No space left on device"
                    throw new IOException("cannot write " + runDir.resolve(t.fileName()) + ": " + e.getMessage()
                            + (recovered.isEmpty() ? "" : " (" + String.join(", ", recovered.stream()
                            .map(r -> r.table().fileName()).toList()) + " recovered)") + "; its stream "
                            + t.streamFileName() + " is kept: recover again once the cause is fixed", e);
                }
            }
        }
        return List.copyOf(recovered);
    }

    /** Rows in a closed table's {@code .arrow} file, read batch by batch (memory of one batch at a time). */
    public static long rowsIn(Path arrowFile) throws IOException {
        try (var allocator = new RootAllocator();
             var channel = java.nio.channels.FileChannel.open(arrowFile, java.nio.file.StandardOpenOption.READ);
             var reader = new org.apache.arrow.vector.ipc.ArrowFileReader(channel, allocator)) {
            long rows = 0;
            for (var block : reader.getRecordBlocks()) {
                reader.loadRecordBatch(block);
                rows += reader.getVectorSchemaRoot().getRowCount();
            }
            return rows;
        }
    }

    /**
     * Fails if {@code runDir} already holds a table, so no result is ever overwritten; creates nothing. Runs call it
     * before anything costly (the plugin host, thousands of replicas), so a wrong {@code --out} is said at once.
     */
    public static void requireNoResults(Path runDir) throws IOException {
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) { // it said "already exists"
            throw new IOException(runDir + " is a file, not a folder (a run writes its results into a folder)");
        }
        if (!Files.isDirectory(runDir)) return;
        for (var t : ResultTable.values()) { // streams first: a killed run's are what recover closes
            if (Files.exists(runDir.resolve(t.streamFileName()))) {
                throw new IOException(runDir + " already holds a run's results (" + t.streamFileName() + ", a table "
                        + "still open: a killed run's, which `servelab recover " + runDir + "` closes); choose a new "
                        + "run folder");
            }
        }
        for (var t : ResultTable.values()) { // recover did nothing for a finished run, which it was pointed to
            if (Files.exists(runDir.resolve(t.fileName()))) {
                throw new IOException(runDir + " already holds a run's results (" + t.fileName() + "); choose a new "
                        + "run folder, or delete this one");
            }
        }
    }

    private static IOException chain(IOException first, Exception next) {
        var io = next instanceof IOException e ? e : new IOException(next);
        if (first == null) return io;
        first.addSuppressed(io);
        return first;
    }

    private static void closeQuietly(AutoCloseable c, Exception cause) {
        try {
            c.close();
        } catch (Exception e) {
            cause.addSuppressed(e);
        }
    }
}

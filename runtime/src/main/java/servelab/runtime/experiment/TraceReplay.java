package servelab.runtime.experiment;

import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import servelab.datasets.TraceRequest;
import servelab.runtime.engine.EngineException;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.Simulation;
import servelab.runtime.engine.TraceReadFailure;
import servelab.runtime.record.RunRecorder;

/**
 * The replay of a run's trace through its simulation, with run.json kept current, and what a replay that stops
 * early leaves: every request that arrived ends once (those still running as {@code run aborted: ...}), and the
 * files are closed so that they stay readable.
 */
final class TraceReplay {
    private TraceReplay() {
    }

    /**
     * The experiment's trace, opened and its first request read: a trace that cannot be read from its start (no such
     * file, a folder, an unknown format, a bad first row) or that gives no request is refused here, before the run
     * has a folder (it left a folder with empty tables that read as a finished run of 0 requests).
     */
    static ExperimentTrace openChecked(Experiment exp) throws IOException {
        var trace = ExperimentTrace.open(exp);
        try {
            if (!trace.iterator().hasNext()) { // an empty run that exits 0 said nothing about a window past the end
                var d = trace.describe();
                var json = servelab.runtime.record.Json.MAPPER;
                if (exp.trace().file() == null) { // a synthetic workload has no rows read
                    throw new IllegalArgumentException("the synthetic workload gives no request to replay (transforms "
                            + json.writeValueAsString(d.get("transforms")) + "); check trace.transforms (window_s, "
                            + "first) against its arrivals");
                }
                throw new IllegalArgumentException("the trace gives no request to replay (rows_read "
                        + d.get("rows_read") + ", rows_skipped " + json.writeValueAsString(d.get("rows_skipped"))
                        + ", transforms " + json.writeValueAsString(d.get("transforms"))
                        + "); check trace.transforms (window_s, first) against the file");
            }
            return trace;
        } catch (IOException | RuntimeException | Error e) {
            try {
                trace.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Replays the trace, with run.json written before (describing the trace) and after (with rows read, skipped). */
    static long replay(ExperimentTrace trace, Simulation sim, List<Replica> replicas, RunRecorder recorder,
                       Map<String, Object> info) throws IOException {
        info.put("trace", trace.describe());
        recorder.writeRunJson(info);
        try {
            return runToEnd(sim, trace.iterator(), replicas, recorder);
        } finally { // with counts of rows read and skipped, an aborted run's too (the caller writes run.json)
            info.put("trace", trace.describe());
        }
    }

    /** Replays to the end; on an engine failure, records what is left as failed and closes the files cleanly. */
    private static long runToEnd(Simulation sim, Iterator<TraceRequest> trace, List<Replica> replicas,
                                 RunRecorder recorder) {
        try {
            return sim.run(trace);
        } catch (EngineException | TraceReadFailure | java.io.UncheckedIOException e) { // the last: a result file
            RuntimeException thrown = e instanceof TraceReadFailure t ? t.readerException() : e;
            try {
                for (var replica : replicas) replica.abandon("run aborted: " + e.getMessage());
            } catch (java.io.UncheckedIOException writing) {
                thrown.addSuppressed(writing);
            }
            try {
                recorder.close();
            } catch (IOException | RuntimeException closing) {
                thrown.addSuppressed(closing);
            }
            throw thrown;
        }
    }
}

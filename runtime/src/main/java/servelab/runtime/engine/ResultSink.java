package servelab.runtime.engine;

import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/** Where the engine's rows go: the Arrow recorder in a run, a list in a test. Called on the engine's thread. */
public interface ResultSink {
    void request(RequestRow row);

    void iteration(IterationRow row);

    void event(EventRow row);

    /** The output token ids of a finished request, when a real model produced them (before its request row). */
    default void output(long requestId, int[] tokens) {}

    /** A sink that drops everything (benchmarks of the engine alone). */
    ResultSink NONE = new ResultSink() {
        @Override public void request(RequestRow row) {}
        @Override public void iteration(IterationRow row) {}
        @Override public void event(EventRow row) {}
    };
}

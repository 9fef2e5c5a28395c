package servelab.runtime.engine;

import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/** Where the engine's rows go: the Arrow recorder in a run, a list in a test. Called on the engine's thread. */
public interface ResultSink {
    void request(RequestRow row);

    void iteration(IterationRow row);

    void event(EventRow row);

    /** An engine event, recorded as its row of the events table. */
    default void event(EngineEvent event) {
        event(row(event));
    }

    /** One tick of the cluster time series (cluster.arrow). */
    default void cluster(servelab.runtime.record.ClusterRow row) {}

    /** The output token ids of a finished request, when a real model produced them (before its request row). */
    default void output(long requestId, int[] tokens) {}

    /** The events-table row of an engine event (types and columns as RESULTS-SCHEMA.md describes them). */
    static EventRow row(EngineEvent event) {
        return switch (event) {
            case EngineEvent.PolicySwap s -> new EventRow(s.timeNanos(), s.iteration(), s.replica(), "swap", s.kind(),
                    s.from(), s.to(), s.source(), s.params());
            case EngineEvent.PolicyFault f -> new EventRow(f.timeNanos(), f.iteration(), f.replica(), "fault", f.kind(),
                    f.plugin(), f.reverted() ? "reverted" : "", f.reason());
            case EngineEvent.Preemption p -> new EventRow(p.timeNanos(), p.iteration(), p.replica(), "preempt", "",
                    Long.toString(p.requestId()), p.swapped() ? "swap" : "recompute",
                    p.swapRefused());
            case EngineEvent.InjectedFault f -> new EventRow(f.timeNanos(), -1, f.replica(),
                    f.started() ? "fault-start" : "fault-end", f.kind(), "", "", f.detail());
            case EngineEvent.ReplicaStateChange c -> new EventRow(c.timeNanos(), -1, c.replica(), "replica", "",
                    c.from(), c.to(), c.reason());
            case EngineEvent.Scaling s -> new EventRow(s.timeNanos(), -1, -1, "scale", "autoscaler",
                    Integer.toString(s.had()), Integer.toString(s.wanted()), s.autoscaler() + ": " + s.detail());
        };
    }

    /**
     * A step produced output tokens {@code from .. to - 1} of a request at {@code nanos} (run clock), before the
     * request's row when it finished with them. {@code ids} holds the token ids when the executor produces real
     * tokens, else is null; it is the engine's array, valid only during the call. A serving front streams from here.
     */
    default void tokens(long requestId, int[] ids, int from, int to, long nanos) {}

    /**
     * A request got work for the first time at {@code nanos} (run clock): its {@code firstScheduledNanos}, reported
     * when it happens rather than with the request's row, so a serving front can end a request's queued span live.
     */
    default void scheduled(long requestId, long nanos) {}

    /**
     * What each step does to the cluster's time series (prefix lookups and hits, tokens computed), said for every
     * step whether its {@link #iteration} row is built or not.
     */
    default void stepped(int replica, long prefixQueryTokens, long prefixHitTokens, long tokens) {}

    /**
     * Whether this sink keeps the {@link #iteration} row of step {@code iteration} of a replica. A replica builds the
     * row only when asked (building it walks the running sequences): a run that records every 64th step of a
     * million-request cluster skips 63 of 64 walks. Wrappers answer for what they wrap.
     */
    default boolean wantsIteration(long iteration) {
        return true;
    }

    /** A sink that drops everything (benchmarks of the engine alone). */
    ResultSink NONE = new ResultSink() {
        @Override public void request(RequestRow row) {}
        @Override public void iteration(IterationRow row) {}
        @Override public void event(EventRow row) {}
    };
}

package servelab.serve;

import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaSlots;

/**
 * Hears a {@link LiveEngine}'s requests as they are routed, their tokens as they come out and their ends, before any
 * row is written, and its replicas when a pass of their loop took no step: the metrics count tokens and first-token
 * times as vLLM does, step by step, and keep the gauges true between steps ({@link ServeMetrics}).
 */
interface EngineProgress {
    /** On the intake's thread, before the request is posted to replica {@code replica}. */
    void routed(long id, int replica, long arrivalNanos, int inputTokens);

    /** On the replica's thread: output tokens {@code [from, to)} came out at run-clock {@code nanos}. */
    void tokens(long id, int from, int to, long nanos);

    /**
     * A request on replica {@code replica} completed, {@code reason} {@code stop} (a stop string or the end of text)
     * or {@code length}: said when the engine ends it, whether or not its client is still there to read it.
     */
    void finished(int replica, String reason);

    /** On the replica's thread: a pass of its loop took no step; {@code slots} are its policy slots. */
    void idle(Replica replica, ReplicaSlots slots);

    /** Hears nothing. */
    EngineProgress NONE = new EngineProgress() {
        @Override public void routed(long id, int replica, long arrivalNanos, int inputTokens) { }
        @Override public void tokens(long id, int from, int to, long nanos) { }
        @Override public void finished(int replica, String reason) { }
        @Override public void idle(Replica replica, ReplicaSlots slots) { }
    };
}

package servelab.runtime.engine;

/**
 * What the engine reports besides its rows: a closed set, mapped to the events table by {@link ResultSink#row}.
 * Times are run-clock nanoseconds; {@code iteration} and {@code replica} are -1 where the event belongs to none.
 */
public sealed interface EngineEvent {

    /**
     * A slot's policy changed between two steps ({@code from} and {@code to} are {@code name@version}); {@code params}
     * are what the new policy was given when its swap was asked for, carried with the event because the slot may
     * hold yet another policy by the time the event is read.
     */
    record PolicySwap(long timeNanos, long iteration, int replica, String kind, String from, String to, String source,
                      java.util.Map<String, Object> params) implements EngineEvent {
        public PolicySwap {
            params = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(params));
        }

        /** {@code inUse} replaced by {@code next}; the detail names the parameters and the jar, as events.arrow shows. */
        static PolicySwap of(long timeNanos, long iteration, int replica, PolicySlot.Installed<?> inUse,
                             PolicySlot.Installed<?> next) {
            return new PolicySwap(timeNanos, iteration, replica, next.descriptor().kind().id(), inUse.id(), next.id(),
                    "params " + new java.util.TreeMap<>(next.params()) + " from " + next.source(), next.params());
        }
    }

    /**
     * A policy broke its contract or threw; {@code reverted} when the slot fell back to the previous policy.
     * {@code reason} is what went wrong.
     */
    record PolicyFault(long timeNanos, long iteration, int replica, String kind, String plugin, boolean reverted,
                       String reason) implements EngineEvent {}

    /**
     * A running sequence was preempted: swapped out to the host tier, or to recompute; {@code swapRefused} why the
     * batcher's swap became a recompute ("" when it did not ask for one, or was given it).
     */
    record Preemption(long timeNanos, long iteration, int replica, long requestId, boolean swapped,
                      String swapRefused) implements EngineEvent {}

    /**
     * An injected fault began ({@code started}) or ended. {@code kind} is the fault's kind as the experiment writes
     * it ({@code crash}, {@code straggle}, {@code partition}, {@code lost-responses}); {@code replica} -1 for all.
     */
    record InjectedFault(long timeNanos, int replica, String kind, boolean started, String detail)
            implements EngineEvent {}

    /**
     * A replica changed its lifecycle state ({@code serving}, {@code starting}, {@code draining}, {@code down},
     * {@code off}), and why: a crash, a cold start that ended, an autoscaler's decision.
     */
    record ReplicaStateChange(long timeNanos, int replica, String from, String to, String reason)
            implements EngineEvent {}

    /**
     * The autoscaler asked for {@code wanted} replicas (serving plus starting) when {@code had} were; {@code
     * detail} says what the cluster did (clamped, which replicas started or drain).
     */
    record Scaling(long timeNanos, String autoscaler, int had, int wanted, String detail) implements EngineEvent {}
}

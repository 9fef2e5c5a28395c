package servelab.api.resilience;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Which replicas the gateway lets the router choose. Told of every attempt's end (answers and failures, not
 * cancellations), it keeps per-replica state (closed / open / half-open, ejection timers). A replica it does not
 * allow is hidden from the router; when it allows none of a request's candidates the attempt fails as
 * {@link AttemptEnd.Result#NO_REPLICA} (or goes to the fallback group, if the gateway has one).
 */
@ConsumerType
public interface Breaker {
    /** Whether an attempt may be sent to {@code replica} now; asked for each candidate of each attempt. */
    boolean allows(int replica, GatewayView gateway);

    /** An attempt sent to a replica ended ({@link AttemptEnd#replica()} >= 0, result not CANCELLED). */
    void onEnd(AttemptEnd end, GatewayView gateway);
}

package servelab.api.resilience;

import org.osgi.annotation.versioning.ProviderType;

/** What the gateway knows when it asks a policy. Valid for the call it is passed to. */
@ProviderType
public interface GatewayView {
    /** The run's clock, nanoseconds. */
    long nowNanos();

    /** Requests the gateway holds that have not ended (each counted once, however many attempts it has). */
    int liveRequests();

    /**
     * Retries live (attempt > 0, hedges excluded): decided and waiting out their backoff, or sent and not ended. What
     * a retry budget limits; as Envoy counts it, a retry is live from the moment it is decided.
     */
    int liveRetries();

    /** Hedged copies in flight. */
    int liveHedges();

    /** Replicas in the cluster (the range of {@link AttemptEnd#replica()}). */
    int replicas();

    /**
     * The {@code quantile} (0 to 1) of the latency, send to answer, of the attempts answered recently (a sliding
     * window of the last answers); 0 until the first answer.
     */
    long recentLatencyNanos(double quantile);
}

package servelab.runtime.cluster;

/**
 * Where a replica is in its life. Only a {@link #SERVING} replica that no partition cuts off takes new requests;
 * serving, starting and draining replicas cost replica-seconds.
 */
public enum ReplicaState {
    /** Takes requests. */
    SERVING,
    /** In its cold start (loading weights, warming up) until a known time; then serving. */
    STARTING,
    /** Takes no new requests; off once its requests have finished. */
    DRAINING,
    /** Crashed and not restarting. */
    DOWN,
    /** Not started (beyond the autoscaler's initial fleet) or drained. */
    OFF;

    /** The name in the events table ({@code serving}, {@code starting}, ...). */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the replica is provisioned (costs replica-seconds). */
    public boolean billed() {
        return this == SERVING || this == STARTING || this == DRAINING;
    }
}

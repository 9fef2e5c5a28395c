package servelab.runtime.cluster;

import java.util.Objects;

/**
 * The gateway's settings (the experiment's {@code gateway:} block): the mechanisms that are not policies.
 *
 * @param timeoutNanos        a request's deadline after its arrival; past it the request ends timed out and its
 *                            attempts are cancelled (0: none)
 * @param attemptTimeoutNanos how long the gateway waits for one attempt's answer before it counts the attempt as
 *                            timed out and asks the retry policy (0: none)
 * @param idempotency         requests carry idempotency keys: the router keeps each answer until its request ends,
 *                            so a retry gets a held answer without GPU work, and a retry of a request still running
 *                            attaches to that execution instead of starting a second one
 * @param fallbackGroup       the replica group an attempt goes to when no replica of its own candidates may take it
 *                            ({@code ""}: none)
 * @param latencyWindow       answers in the sliding window behind {@code GatewayView.recentLatencyNanos}
 * @param seed                the run's seed: attempt seeds and lost-response draws derive from it
 */
public record GatewaySettings(long timeoutNanos, long attemptTimeoutNanos, boolean idempotency, String fallbackGroup,
                              int latencyWindow, long seed) {
    /** No deadlines, idempotency keys on, no fallback, a window of 1000 answers. */
    public static final GatewaySettings DEFAULT = new GatewaySettings(0, 0, true, "", 1000, 0);

    public GatewaySettings {
        Objects.requireNonNull(fallbackGroup, "GatewaySettings.fallbackGroup");
        if (timeoutNanos < 0) throw new IllegalArgumentException("gateway.timeout_ms must be >= 0, was " + timeoutNanos + " ns");
        if (attemptTimeoutNanos < 0) {
            throw new IllegalArgumentException("gateway.attempt_timeout_ms must be >= 0, was " + attemptTimeoutNanos + " ns");
        }
        if (latencyWindow < 1) throw new IllegalArgumentException("gateway.latency_window must be >= 1, was " + latencyWindow);
    }

    public GatewaySettings withSeed(long runSeed) {
        return new GatewaySettings(timeoutNanos, attemptTimeoutNanos, idempotency, fallbackGroup, latencyWindow, runSeed);
    }
}

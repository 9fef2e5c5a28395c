package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.Map;

import servelab.runtime.cluster.GatewaySettings;

/**
 * The gateway between trace and router (the experiment's {@code gateway:} block): the mechanisms that are settings
 * rather than policies. The retry, hedge and breaker policies are plugins ({@code plugins.retry}, ...).
 *
 * @param timeoutMs        a request's deadline after its arrival, ms; past it the request ends {@code timed_out}
 *                         and its attempts are cancelled (default 0: none)
 * @param attemptTimeoutMs how long the gateway waits for one attempt's answer before the attempt counts as timed out
 *                         and the retry policy is asked, ms (default 0: none)
 * @param idempotency      requests carry idempotency keys (default true): the router keeps each answer until its
 *                         request ends, so a retry gets a held answer without GPU work and a retry of a request still
 *                         running attaches to it; false: every retry executes again
 * @param fallbackGroup    the replica group an attempt goes to when none of its candidates may take it (default
 *                         none); it must be one of the cluster's groups ({@code default} without groups)
 * @param latencyWindow    answered attempts in the sliding window a hedge policy reads recent latency quantiles
 *                         from (default 1000)
 */
public record GatewaySpec(Double timeoutMs, Double attemptTimeoutMs, Boolean idempotency, String fallbackGroup,
                          Integer latencyWindow) {
    /** The most answers the latency window holds (it is sorted again after each answer a hedge reads). */
    public static final int MAX_LATENCY_WINDOW = 100_000;

    public static final GatewaySpec DEFAULT = new GatewaySpec(null, null, null, null, null);

    public GatewaySpec {
        timeoutMs = milliseconds("gateway.timeout_ms", timeoutMs);
        attemptTimeoutMs = milliseconds("gateway.attempt_timeout_ms", attemptTimeoutMs);
        idempotency = idempotency == null || idempotency;
        fallbackGroup = fallbackGroup == null ? "" : fallbackGroup;
        latencyWindow = latencyWindow == null ? 1000 : latencyWindow;
        if (latencyWindow < 1 || latencyWindow > MAX_LATENCY_WINDOW) { // 2^31 was a 16 GB array: out of memory
            throw new IllegalArgumentException("gateway.latency_window must be 1.." + MAX_LATENCY_WINDOW + " answers, was "
                    + latencyWindow);
        }
    }

    private static double milliseconds(String key, Double ms) {
        if (ms == null) return 0;
        if (!(ms >= 0) || ms > AutoscalingSpec.MAX_MS) { // 1e300 overflowed the clock: "time went backwards"
            throw new IllegalArgumentException(key + " must be a number of milliseconds in [0, 1e12] (0: none), was " + ms);
        }
        return ms;
    }

    /** The simulation's settings, attempt seeds derived from {@code seed}. */
    public GatewaySettings settings(long seed) {
        return new GatewaySettings(Math.round(timeoutMs * 1e6), Math.round(attemptTimeoutMs * 1e6), idempotency,
                fallbackGroup, latencyWindow, seed);
    }

    /** The {@code gateway} section of run.json. */
    Map<String, Object> describe() {
        var info = new LinkedHashMap<String, Object>();
        info.put("timeout_ms", timeoutMs);
        info.put("attempt_timeout_ms", attemptTimeoutMs);
        info.put("idempotency", idempotency);
        info.put("fallback_group", fallbackGroup);
        info.put("latency_window", latencyWindow);
        return info;
    }
}

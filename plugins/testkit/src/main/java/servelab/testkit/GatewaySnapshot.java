package servelab.testkit;

import java.util.Arrays;
import java.util.SplittableRandom;

import servelab.api.resilience.GatewayView;

/**
 * The gateway's view as plain values, for resilience policy tests: {@code idle(replicas)} and the {@code with...}
 * copies. {@code latenciesNanos} is the window of recent answer latencies; a quantile is its nearest-rank value
 * (0 for an empty window, as the SPI promises).
 */
public record GatewaySnapshot(long nowNanos, int liveRequests, int liveRetries, int liveHedges, int replicas,
                              long[] latenciesNanos) implements GatewayView {

    public GatewaySnapshot {
        latenciesNanos = latenciesNanos.clone();
        Arrays.sort(latenciesNanos);
    }

    /** {@code replicas} replicas at time 0, nothing live, an empty latency window. */
    public static GatewaySnapshot idle(int replicas) {
        return new GatewaySnapshot(0, 0, 0, 0, replicas, new long[0]);
    }

    public GatewaySnapshot at(long nowNanos) {
        return new GatewaySnapshot(nowNanos, liveRequests, liveRetries, liveHedges, replicas, latenciesNanos);
    }

    public GatewaySnapshot withLive(int requests, int retries, int hedges) {
        return new GatewaySnapshot(nowNanos, requests, retries, hedges, replicas, latenciesNanos);
    }

    public GatewaySnapshot withLatenciesMillis(long... millis) {
        return new GatewaySnapshot(nowNanos, liveRequests, liveRetries, liveHedges, replicas,
                Arrays.stream(millis).map(ms -> ms * 1_000_000L).toArray());
    }

    @Override
    public long recentLatencyNanos(double quantile) {
        if (latenciesNanos.length == 0) return 0;
        int rank = (int) Math.ceil(quantile * latenciesNanos.length);
        return latenciesNanos[Math.clamp(rank - 1, 0, latenciesNanos.length - 1)];
    }

    /**
     * A seeded random view at {@code nowNanos}, extremes included: no live requests, more retries and hedges in
     * flight than requests would allow, one replica or many, an empty window or latencies up to ten minutes.
     */
    public static GatewaySnapshot random(SplittableRandom random, long nowNanos) {
        int live = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 1 + random.nextInt(10);
            case 2 -> random.nextInt(10_000);
            default -> Integer.MAX_VALUE / 2;
        };
        var latencies = new long[random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(50)];
        for (int i = 0; i < latencies.length; i++) latencies[i] = random.nextLong(600_000_000_000L);
        return new GatewaySnapshot(nowNanos, live, random.nextInt(Math.max(1, live / 2 + 5)),
                random.nextInt(Math.max(1, live / 4 + 3)), 1 + random.nextInt(64), latencies);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GatewaySnapshot g && g.nowNanos == nowNanos && g.liveRequests == liveRequests
                && g.liveRetries == liveRetries && g.liveHedges == liveHedges && g.replicas == replicas
                && Arrays.equals(g.latenciesNanos, latenciesNanos);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nowNanos) * 31 + Arrays.hashCode(latenciesNanos);
    }

    @Override
    public String toString() {
        return "GatewaySnapshot[now=" + nowNanos + " ns, live=" + liveRequests + ", retries=" + liveRetries
                + ", hedges=" + liveHedges + ", replicas=" + replicas + ", window=" + latenciesNanos.length + "]";
    }
}

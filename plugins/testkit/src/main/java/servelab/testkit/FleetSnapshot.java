package servelab.testkit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import servelab.api.route.ReplicaView;
import servelab.api.scale.FleetView;

/**
 * The fleet as an autoscaler sees it, as plain values: {@code steady(serving)} and the {@code with...} copies.
 * {@code ttftsNanos} are the interval's times to first token; a quantile is the nearest-rank value (0 for none).
 */
public record FleetSnapshot(long nowNanos, long intervalNanos, int servingReplicas, int startingReplicas,
                            int drainingReplicas, int minReplicas, int maxReplicas, double arrivalsPerSecond,
                            double utilisation, int waitingRequests, long[] ttftsNanos) implements FleetView {

    public FleetSnapshot {
        ttftsNanos = ttftsNanos.clone();
        Arrays.sort(ttftsNanos);
    }

    /** {@code serving} idle replicas at time 0 (bounds 1 to 64), a 10 s interval, no load, no TTFT samples. */
    public static FleetSnapshot steady(int serving) {
        return new FleetSnapshot(0, 10_000_000_000L, serving, 0, 0, 1, 64, 0, 0, 0, new long[0]);
    }

    /** The same fleet {@code seconds} later. */
    public FleetSnapshot atSeconds(double seconds) {
        return new FleetSnapshot((long) (seconds * 1e9), intervalNanos, servingReplicas, startingReplicas,
                drainingReplicas, minReplicas, maxReplicas, arrivalsPerSecond, utilisation, waitingRequests, ttftsNanos);
    }

    public FleetSnapshot withReplicas(int serving, int starting, int draining) {
        return new FleetSnapshot(nowNanos, intervalNanos, serving, starting, draining, minReplicas, maxReplicas,
                arrivalsPerSecond, utilisation, waitingRequests, ttftsNanos);
    }

    public FleetSnapshot withLoad(double arrivalsPerSecond, double utilisation, int waitingRequests) {
        return new FleetSnapshot(nowNanos, intervalNanos, servingReplicas, startingReplicas, drainingReplicas,
                minReplicas, maxReplicas, arrivalsPerSecond, utilisation, waitingRequests, ttftsNanos);
    }

    public FleetSnapshot withTtftsMillis(long... millis) {
        return new FleetSnapshot(nowNanos, intervalNanos, servingReplicas, startingReplicas, drainingReplicas,
                minReplicas, maxReplicas, arrivalsPerSecond, utilisation, waitingRequests,
                Arrays.stream(millis).map(ms -> ms * 1_000_000L).toArray());
    }

    @Override
    public List<ReplicaView> replicas() {
        var replicas = new ArrayList<ReplicaView>();
        int total = servingReplicas + startingReplicas + drainingReplicas;
        for (int i = 0; i < total; i++) {
            int waiting = i < servingReplicas ? waitingRequests / servingReplicas
                    + (i < waitingRequests % servingReplicas ? 1 : 0) : 0;
            replicas.add(new FakeCluster.Replica(i, waiting, 0, 0, 0, 100, 100, i < servingReplicas, 0,
                    java.util.Set.of()));
        }
        return List.copyOf(replicas);
    }

    @Override
    public long recentTtftNanos(double quantile) {
        if (ttftsNanos.length == 0) return 0;
        int rank = (int) Math.ceil(quantile * ttftsNanos.length);
        return ttftsNanos[Math.clamp(rank - 1, 0, ttftsNanos.length - 1)];
    }

    /**
     * A seeded random fleet at {@code nowNanos}, extremes included: nothing serving, every replica starting or
     * draining, utilisation 0 or 1, no TTFT samples, a queue of a million requests.
     */
    public static FleetSnapshot random(SplittableRandom random, long nowNanos) {
        int max = 1 + random.nextInt(64);
        int serving = random.nextInt(5) == 0 ? 0 : random.nextInt(max + 1);
        int starting = random.nextInt(max - serving + 1);
        int draining = random.nextInt(3);
        double utilisation = switch (random.nextInt(4)) {
            case 0 -> 0;
            case 1 -> 1;
            default -> random.nextDouble();
        };
        int waiting = serving == 0 ? 0 : random.nextInt(3) == 0 ? random.nextInt(1_000_000) : random.nextInt(200);
        var ttfts = new long[random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(40)];
        for (int i = 0; i < ttfts.length; i++) ttfts[i] = random.nextLong(60_000_000_000L);
        return new FleetSnapshot(nowNanos, 1_000_000_000L * (1 + random.nextInt(30)), serving, starting, draining,
                1 + random.nextInt(max), max, random.nextDouble() * 1000, utilisation, waiting, ttfts);
    }

    /** Whether this fleet has nothing to do: no arrivals, nothing waiting, no computing, no TTFT samples. */
    public boolean isIdle() {
        return arrivalsPerSecond == 0 && waitingRequests == 0 && utilisation == 0 && ttftsNanos.length == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FleetSnapshot f && f.nowNanos == nowNanos && f.intervalNanos == intervalNanos
                && f.servingReplicas == servingReplicas && f.startingReplicas == startingReplicas
                && f.drainingReplicas == drainingReplicas && f.minReplicas == minReplicas && f.maxReplicas == maxReplicas
                && Double.compare(f.arrivalsPerSecond, arrivalsPerSecond) == 0
                && Double.compare(f.utilisation, utilisation) == 0 && f.waitingRequests == waitingRequests
                && Arrays.equals(f.ttftsNanos, ttftsNanos);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(nowNanos) * 31 + servingReplicas * 17 + Arrays.hashCode(ttftsNanos);
    }

    @Override
    public String toString() {
        return "FleetSnapshot[now=" + nowNanos + " ns, serving=" + servingReplicas + ", starting=" + startingReplicas
                + ", draining=" + drainingReplicas + ", bounds=[" + minReplicas + ", " + maxReplicas + "], arrivals="
                + arrivalsPerSecond + "/s, utilisation=" + utilisation + ", waiting=" + waitingRequests
                + ", ttft samples=" + ttftsNanos.length + "]";
    }
}

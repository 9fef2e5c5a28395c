package servelab.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;

/** Seeded random requests and replica loads, as routing and admission see them. */
public final class FakeCluster {
    /** A request before any replica holds it. */
    public record Request(long id, long arrivalNanos, int promptTokens, int maxOutputTokens, int priority,
                          String tenant) implements RequestView {}

    /** One replica's load. */
    public record Replica(int index, int queuedRequests, int freeBlocks, int totalBlocks) implements ReplicaView {}

    private final SplittableRandom random;
    private long nextId;
    private long nowNanos;

    public FakeCluster(long seed) {
        random = new SplittableRandom(seed);
    }

    /** The next arriving request. */
    public Request request() {
        nowNanos += random.nextInt(50_000_000);
        return new Request(nextId++, nowNanos, 1 + random.nextInt(4000), 1 + random.nextInt(1000), random.nextInt(4),
                "tenant-" + random.nextInt(3));
    }

    /** 1 to {@code max} replicas with random loads, in index order. */
    public List<ReplicaView> replicas(int max) {
        int n = 1 + random.nextInt(max);
        var replicas = new ArrayList<ReplicaView>();
        for (int i = 0; i < n; i++) {
            int total = 64 + random.nextInt(4096);
            replicas.add(new Replica(i, random.nextInt(200), random.nextInt(total + 1), total));
        }
        return List.copyOf(replicas);
    }
}

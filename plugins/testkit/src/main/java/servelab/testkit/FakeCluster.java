package servelab.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import servelab.api.route.BlockHashes;
import servelab.api.route.PrefixKnowledge;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;

/**
 * Seeded random requests and cluster states, as routing and admission see them: 1 to n replicas, some unavailable,
 * with queues, tokens, KV use, recent TTFT and cached prefix blocks; requests that share a prefix of blocks, with
 * tenants, sessions and priorities.
 */
public final class FakeCluster {
    /** A request before any replica holds it. */
    public record Request(long id, long arrivalNanos, int promptTokens, int maxOutputTokens, int priority,
                          String tenant, String sessionKey, long[] blockHashes) implements RequestView {
        @Override
        public BlockHashes promptBlocks() {
            return BlockHashes.of(16, blockHashes);
        }
    }

    /** One replica as a snapshot; {@code cached} holds the block hashes its prefix cache has. */
    public record Replica(int index, int waitingRequests, int runningRequests, long waitingTokens, long runningTokens,
                          int freeBlocks, int totalBlocks, boolean isAvailable, long recentTtftNanos, Set<Long> cached)
            implements ReplicaView {
        @Override public int queuedRequests() { return waitingRequests + runningRequests; }
        @Override public int prefixCacheBlocks() { return cached.size(); }
        @Override public PrefixKnowledge prefixKnowledge() { return PrefixKnowledge.EXACT; }

        @Override
        public int cachedPrefixBlocks(BlockHashes blocks) {
            int n = 0;
            while (n < blocks.count() && cached.contains(blocks.hash(n))) n++;
            return n;
        }
    }

    private final SplittableRandom random;
    private long nextId;
    private long nowNanos;

    public FakeCluster(long seed) {
        random = new SplittableRandom(seed);
    }

    /** The next arriving request: blocks 1, 2, 3... (a prefix shared with others) up to a random length. */
    public Request request() {
        nowNanos += random.nextInt(50_000_000);
        var blocks = new long[random.nextInt(6)];
        for (int i = 0; i < blocks.length; i++) blocks[i] = i < 3 ? i + 1 : random.nextLong();
        long id = nextId++;
        return new Request(id, nowNanos, 1 + random.nextInt(4000), 1 + random.nextInt(1000), random.nextInt(4),
                "tenant-" + random.nextInt(3), "session-" + random.nextInt(5), blocks);
    }

    /** 1 to {@code max} replicas in index order, about one in six unavailable. */
    public List<ReplicaView> replicas(int max) {
        int n = 1 + random.nextInt(max);
        var replicas = new ArrayList<ReplicaView>();
        for (int i = 0; i < n; i++) {
            int total = 64 + random.nextInt(4096);
            var cached = random.nextBoolean() ? Set.of(1L, 2L) : random.nextBoolean() ? Set.of(1L) : Set.<Long>of();
            replicas.add(new Replica(i, random.nextInt(100), random.nextInt(100), random.nextInt(20_000),
                    random.nextInt(50_000), random.nextInt(total + 1), total, random.nextInt(6) > 0,
                    random.nextInt(2_000) * 1_000_000L, cached));
        }
        return List.copyOf(replicas);
    }

    /**
     * The replicas a router is handed when some are down, partitioned or refused by a breaker: the available ones
     * only, so their indices have gaps ({@code [1, 3, 4]}) and a position is not an index. At least one.
     */
    public List<ReplicaView> candidates(int max) {
        List<ReplicaView> all;
        do {
            all = replicas(Math.max(2, max));
        } while (all.size() < 2);
        var some = new ArrayList<ReplicaView>();
        for (var r : all) if (r.isAvailable() && random.nextInt(3) > 0) some.add(r);
        if (some.isEmpty() || some.size() == all.size()) return List.copyOf(all.subList(1, all.size())); // a gap at 0
        return List.copyOf(some);
    }
}

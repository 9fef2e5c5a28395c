package servelab.plugins.routing.common.testing;

import java.util.Set;

import servelab.api.route.BlockHashes;
import servelab.api.route.PrefixKnowledge;
import servelab.api.route.ReplicaView;

/**
 * A replica's view as plain values, for given/when/then tests: {@code idle(i)} and the {@code with...} copies.
 * {@code cached} holds the block hashes its prefix cache holds (exact knowledge).
 */
public record ReplicaSnapshot(int index, String group, boolean available, int waiting, int running,
                              long waitingTokens, long runningTokens, int freeBlocks, int totalBlocks,
                              Set<Long> cached, long recentTtftNanos, long recentItlNanos) implements ReplicaView {

    public ReplicaSnapshot {
        cached = Set.copyOf(cached);
    }

    /** Replica {@code index}: available, nothing queued, 100 free blocks of 100, nothing cached. */
    public static ReplicaSnapshot idle(int index) {
        return new ReplicaSnapshot(index, "default", true, 0, 0, 0, 0, 100, 100, Set.of(), 0, 0);
    }

    public ReplicaSnapshot withQueue(int waitingRequests, int runningRequests) {
        return new ReplicaSnapshot(index, group, available, waitingRequests, runningRequests, waitingTokens,
                runningTokens, freeBlocks, totalBlocks, cached, recentTtftNanos, recentItlNanos);
    }

    public ReplicaSnapshot withTokens(long waitingTokens, long runningTokens) {
        return new ReplicaSnapshot(index, group, available, waiting, running, waitingTokens, runningTokens,
                freeBlocks, totalBlocks, cached, recentTtftNanos, recentItlNanos);
    }

    public ReplicaSnapshot withFreeBlocks(int free, int total) {
        return new ReplicaSnapshot(index, group, available, waiting, running, waitingTokens, runningTokens, free,
                total, cached, recentTtftNanos, recentItlNanos);
    }

    public ReplicaSnapshot withCached(Long... hashes) {
        return new ReplicaSnapshot(index, group, available, waiting, running, waitingTokens, runningTokens,
                freeBlocks, totalBlocks, Set.of(hashes), recentTtftNanos, recentItlNanos);
    }

    public ReplicaSnapshot withGroup(String name) {
        return new ReplicaSnapshot(index, name, available, waiting, running, waitingTokens, runningTokens,
                freeBlocks, totalBlocks, cached, recentTtftNanos, recentItlNanos);
    }

    public ReplicaSnapshot unavailable() {
        return new ReplicaSnapshot(index, group, false, waiting, running, waitingTokens, runningTokens,
                freeBlocks, totalBlocks, cached, recentTtftNanos, recentItlNanos);
    }

    public ReplicaSnapshot withRecentTtftMillis(long millis) {
        return new ReplicaSnapshot(index, group, available, waiting, running, waitingTokens, runningTokens,
                freeBlocks, totalBlocks, cached, millis * 1_000_000L, recentItlNanos);
    }

    @Override public int queuedRequests() { return waiting + running; }
    @Override public int waitingRequests() { return waiting; }
    @Override public int runningRequests() { return running; }
    @Override public boolean isAvailable() { return available; }
    @Override public int prefixCacheBlocks() { return cached.size(); }
    @Override public PrefixKnowledge prefixKnowledge() { return PrefixKnowledge.EXACT; }

    @Override
    public int cachedPrefixBlocks(BlockHashes blocks) {
        int i = 0;
        while (i < blocks.count() && cached.contains(blocks.hash(i))) i++;
        return i;
    }
}

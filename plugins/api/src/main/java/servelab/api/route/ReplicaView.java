package servelab.api.route;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One replica as a router or admission policy sees it: a snapshot the cluster refreshes every
 * {@code cluster.view_refresh_ms} (0: always exact), so a value may be stale by up to that much. Reading a value
 * costs a field read; only {@link #cachedPrefixBlocks} does work, and only for the routers that call it.
 *
 * <p>Every method but the original four has a default for views that do not track the value; the simulated
 * cluster's views ({@code servelab run}) override them all. {@code servelab serve}'s views give the counts and KV
 * blocks (queued, running, waiting, free and total blocks; the queued count is what the router sent and has not
 * seen end, always current) and an {@link PrefixKnowledge#ESTIMATED} prefix (the prompts routed to each replica);
 * its token and latency values are the defaults (0). A view is valid for the call it is passed to: a policy must
 * not keep it.
 */
@ProviderType
public interface ReplicaView {
    /**
     * The replica's number in the cluster, the value a router returns. Not its position in the list a router is
     * handed: that list holds only the replicas a request may go to (after a crash, a partition or an open breaker,
     * a subset: indices 1, 3, 4), so a router returns {@code replicas.get(k).index()}, never {@code k}.
     */
    int index();

    /** Requests waiting or running on this replica. */
    int queuedRequests();

    /** Free KV blocks (reusable cached blocks count as free). */
    int freeBlocks();

    /** Total KV blocks. */
    int totalBlocks();

    /**
     * A name that stays with the replica while others are added or removed (the list position may not), for
     * policies that hash onto replicas. Default {@code "r" + index()}.
     */
    default String name() {
        return "r" + index();
    }

    /** The replica group (its hardware, profile and plugins), {@code "default"} in a cluster without groups. */
    default String group() {
        return "default";
    }

    /**
     * Whether the replica can take a request now; false while it is down, cold-starting, draining or cut off from
     * the router. A router should pick an available replica when there is one. Default true.
     */
    default boolean isAvailable() {
        return true;
    }

    /** Requests not yet admitted to a batch (new or preempted). Default: all queued requests less the running. */
    default int waitingRequests() {
        return queuedRequests() - runningRequests();
    }

    /** Requests holding KV memory and being computed. Default 0 (not tracked). */
    default int runningRequests() {
        return 0;
    }

    /** Prompt tokens of the waiting requests still to compute: the prefill work queued here. Default 0. */
    default long waitingTokens() {
        return 0;
    }

    /** Context tokens (prompt + output so far) of the running requests: what each decode step reads. Default 0. */
    default long runningTokens() {
        return 0;
    }

    /** Fraction of KV blocks in use, 0 to 1: {@code 1 - freeBlocks() / totalBlocks()}. */
    default double kvUsage() {
        int total = totalBlocks();
        return total == 0 ? 0 : 1.0 - (double) freeBlocks() / total;
    }

    /** Blocks held by the replica's prefix cache (used or reusable), in the replica's own block size. Default 0. */
    default int prefixCacheBlocks() {
        return 0;
    }

    /** Where {@link #cachedPrefixBlocks} gets its answer. Default {@link PrefixKnowledge#NONE}. */
    default PrefixKnowledge prefixKnowledge() {
        return PrefixKnowledge.NONE;
    }

    /**
     * How many leading blocks of {@code blocks} this replica holds in its prefix cache (0 to
     * {@code blocks.count()}), exactly or as estimated ({@link #prefixKnowledge()}). Costs at most one lookup per
     * matched block plus one; the cluster may answer every replica from one shared index. Default 0.
     */
    default int cachedPrefixBlocks(BlockHashes blocks) {
        return 0;
    }

    /**
     * Recent time to first token on this replica, nanoseconds, from requests that finished (a request counts when it
     * ends, not at its first token): with {@code cluster.view_refresh_ms} &gt; 0, the mean over those that finished in
     * the last window (0 when none did); with 0 (exact views), a moving average over the latest finished requests
     * (weight 0.2 each; 0 until one has finished). Default 0.
     */
    default long recentTtftNanos() {
        return 0;
    }

    /** Recent inter-token latency, nanoseconds, from finished requests as {@link #recentTtftNanos}. Default 0. */
    default long recentItlNanos() {
        return 0;
    }
}

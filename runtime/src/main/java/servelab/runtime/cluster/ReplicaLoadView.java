package servelab.runtime.cluster;

import servelab.api.route.BlockHashes;
import servelab.api.route.PrefixKnowledge;
import servelab.api.route.ReplicaView;

/**
 * One replica as a router sees it: a window onto the {@link LoadBoard} and the replica's {@link PrefixIndex}. It
 * holds no copies, so the same view object serves every decision of a run.
 */
public final class ReplicaLoadView implements ReplicaView {
    private final int index;
    private final String group;
    private final LoadBoard board;
    private final PrefixIndex prefixes;
    private java.util.function.IntPredicate available = replica -> true;

    public ReplicaLoadView(int index, String group, LoadBoard board, PrefixIndex prefixes) {
        this.index = index;
        this.group = group;
        this.board = board;
        this.prefixes = prefixes;
    }

    @Override public int index() { return index; }

    /** Where {@link #isAvailable()} asks (the cluster's lifecycle and partitions); always true until set. */
    public void availableWhen(java.util.function.IntPredicate available) {
        this.available = java.util.Objects.requireNonNull(available);
    }

    /** Serving, and not cut off by a partition; never stale (the router knows whom it cannot reach). */
    @Override public boolean isAvailable() { return available.test(index); }

    /** Waiting plus running, as the replica last reported. */
    @Override public int queuedRequests() { return board.waiting(index) + board.running(index); }

    @Override public int freeBlocks() { return board.freeBlocks(index); }

    @Override public int totalBlocks() { return board.totalBlocks(index); }

    @Override public String group() { return group; }

    @Override public int waitingRequests() { return board.waiting(index); }

    @Override public int runningRequests() { return board.running(index); }

    @Override public long waitingTokens() { return board.waitingTokens(index); }

    @Override public long runningTokens() { return board.runningTokens(index); }

    @Override public int prefixCacheBlocks() { return board.hasPrefixCache(index) ? prefixes.size() : 0; }

    /** NONE for a replica without a prefix cache: an estimate learnt from routing would claim hits it cannot give. */
    @Override
    public PrefixKnowledge prefixKnowledge() {
        if (!board.hasPrefixCache(index)) return PrefixKnowledge.NONE;
        return prefixes.isPrecise() ? PrefixKnowledge.EXACT : PrefixKnowledge.ESTIMATED;
    }

    @Override
    public int cachedPrefixBlocks(BlockHashes blocks) {
        return board.hasPrefixCache(index) ? prefixes.matchedBlocks(blocks) : 0;
    }

    @Override public long recentTtftNanos() { return board.recentTtftNanos(index); }

    @Override public long recentItlNanos() { return board.recentItlNanos(index); }

    /** Requests this router sent here that have not ended; never stale (the router counts them itself). */
    public int inFlightRequests() { return board.inFlight(index); }

    /** Prompt and output tokens of {@link #inFlightRequests()}. */
    public long outstandingTokens() { return board.outstandingTokens(index); }

    public PrefixIndex prefixIndex() { return prefixes; }
}

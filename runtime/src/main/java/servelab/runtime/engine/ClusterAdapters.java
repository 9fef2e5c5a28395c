package servelab.runtime.engine;

import java.util.function.LongSupplier;

import servelab.runtime.cluster.LiveReplica;
import servelab.runtime.cluster.PrefixIndex;

/** A replica as the cluster's load board sees it, and a prefix index as a replica's cache-event listener. */
final class ClusterAdapters {
    private ClusterAdapters() {}

    /**
     * {@code r} at the run's time {@code clock}: the requests its current step finishes still run, with their tokens
     * and blocks, until the step ends ({@link StepFinishing}).
     */
    static LiveReplica live(Replica r, LongSupplier clock) {
        var finishing = r.finishing;
        return new LiveReplica() {
            @Override public int waitingRequests() { return r.waitingRequests(); }
            @Override public int runningRequests() { return r.runningRequests() + finishing.requests(clock.getAsLong()); }
            @Override public long waitingTokens() { return r.waitingTokens(); }
            @Override public long runningTokens() { return r.runningTokens() + finishing.tokens(clock.getAsLong()); }
            @Override public int freeBlocks() { return Math.max(0, r.freeBlocks() - finishing.blocks(clock.getAsLong())); }
            @Override public int totalBlocks() { return r.totalBlocks(); }
            @Override public boolean hasPrefixCache() { return r.hasPrefixCache(); }
        };
    }

    static CacheEvents events(PrefixIndex index) {
        return new CacheEvents() {
            @Override public void stored(int block, long key) { index.stored(block, key); }
            @Override public void evicted(int block) { index.evicted(block); }
            @Override public void cleared() { index.cleared(); }
        };
    }
}

package servelab.runtime.engine;

import servelab.runtime.cluster.LiveReplica;
import servelab.runtime.cluster.PrefixIndex;

/** A replica as the cluster's load board sees it, and a prefix index as a replica's cache-event listener. */
final class ClusterAdapters {
    private ClusterAdapters() {}

    static LiveReplica live(Replica r) {
        return new LiveReplica() {
            @Override public int waitingRequests() { return r.waitingRequests(); }
            @Override public int runningRequests() { return r.runningRequests(); }
            @Override public long waitingTokens() { return r.waitingTokens(); }
            @Override public long runningTokens() { return r.runningTokens(); }
            @Override public int freeBlocks() { return r.freeBlocks(); }
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

package servelab.serve;

import servelab.runtime.engine.ClusterSlots;
import servelab.runtime.engine.EngineEvent;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.ResultSink;

/**
 * The serving front's admission and router slots as last used: a change since is a swap, recorded as the batch
 * engine records one when the policy is next used (a {@code ctl switch} of either was recorded nowhere). Called
 * under the engine's intake lock.
 */
final class ClusterSwaps {
    private final ClusterSlots cluster;
    private final ResultSink downstream;
    private PolicySlot.Installed<?> admission, router;

    ClusterSwaps(ClusterSlots cluster, ResultSink downstream) {
        this.cluster = cluster;
        this.downstream = downstream;
        this.admission = cluster.admission().current();
        this.router = cluster.router().current();
    }

    /** Records a swap of either slot since the last call, at {@code now}. */
    void note(long now) {
        admission = note(admission, cluster.admission().current(), now);
        router = note(router, cluster.router().current(), now);
    }

    private PolicySlot.Installed<?> note(PolicySlot.Installed<?> inUse, PolicySlot.Installed<?> current, long now) {
        if (current != inUse) {
            var swap = new EngineEvent.PolicySwap(now, -1, -1, current.descriptor().kind().id(), inUse.id(), current.id(),
                    "params " + new java.util.TreeMap<>(current.params()) + " from " + current.source(), current.params());
            synchronized (downstream) {
                downstream.event(swap);
            }
        }
        return current;
    }
}

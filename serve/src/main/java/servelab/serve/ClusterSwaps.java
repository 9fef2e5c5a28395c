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
    private PolicySlot.Installed<servelab.api.route.Admission> admission;
    private PolicySlot.Installed<servelab.api.route.Router> router;

    ClusterSwaps(ClusterSlots cluster, ResultSink downstream) {
        this.cluster = cluster;
        this.downstream = downstream;
        this.admission = cluster.admission().current();
        this.router = cluster.router().current();
    }

    /** Records a swap of either slot since the last call, at {@code now}. */
    void note(long now) {
        admission = note(cluster.admission(), admission, now);
        router = note(cluster.router(), router, now);
    }

    private <T> PolicySlot.Installed<T> note(PolicySlot<T> slot, PolicySlot.Installed<T> inUse, long now) {
        if (slot.current() == inUse) return inUse;
        var from = inUse;
        for (var next : slot.changesSince(inUse)) {
            var swap = new EngineEvent.PolicySwap(now, -1, -1, next.descriptor().kind().id(), from.id(), next.id(),
                    "params " + new java.util.TreeMap<>(next.params()) + " from " + next.source(), next.params());
            synchronized (downstream) {
                downstream.event(swap);
            }
            from = next;
        }
        return from;
    }
}

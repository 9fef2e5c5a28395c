package servelab.serve;

import java.util.List;

import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.runtime.engine.ClusterSlots;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.record.EventRow;

/**
 * The server's admission and routing decisions. A policy that throws or answers what cannot be done is a fault, as
 * in a run: recorded as an event, and its slot goes back to the policy before it, which decides instead. Where there
 * is none to go back to the server keeps serving (a run stops): the request is admitted, or sent to replica 0.
 */
final class Placement {
    private final ClusterSlots cluster;
    private final int replicas;
    private final ResultSink downstream;

    Placement(ClusterSlots cluster, int replicas, ResultSink downstream) {
        this.cluster = cluster;
        this.replicas = replicas;
        this.downstream = downstream;
    }

    Admission.Decision admit(Arrival arrival, List<ReplicaView> views, long now) {
        var slot = cluster.admission();
        var admission = slot.current();
        String fault;
        try {
            var decision = admission.policy().admit(arrival, views);
            if (decision != null) return decision;
            fault = "admit returned null for request " + arrival.id();
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            fault = "admission of request " + arrival.id() + " threw " + e;
        }
        return fault(slot, admission, now, fault, "admitted") ? admit(arrival, views, now) : Admission.ADMIT;
    }

    int route(Arrival arrival, List<ReplicaView> views, long now) {
        var slot = cluster.router();
        var router = slot.current();
        String fault;
        try {
            int target = router.policy().route(arrival, views);
            if (target >= 0 && target < replicas) return target;
            fault = "routed request " + arrival.id() + " to replica " + target + " of " + replicas;
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            fault = "routing request " + arrival.id() + " threw " + e;
        }
        return fault(slot, router, now, fault, "sent to replica 0") ? route(arrival, views, now) : 0;
    }

    /** Records the fault and reverts the slot; whether it went back to an earlier policy. */
    private <T> boolean fault(PolicySlot<T> slot, PolicySlot.Installed<T> faulty, long now, String what, String instead) {
        String kind = faulty.descriptor().kind().id();
        boolean reverted = slot.revert(faulty);
        var row = new EventRow(now, -1, -1, "fault", kind, faulty.id(), reverted ? "reverted" : "", what
                + (reverted ? "; back to " + slot.current().id() : "; no " + kind + " to go back to: " + instead));
        synchronized (downstream) {
            downstream.event(row);
        }
        return reverted;
    }
}

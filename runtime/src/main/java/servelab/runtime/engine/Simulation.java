package servelab.runtime.engine;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import servelab.api.PluginKind;
import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;
import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.runtime.record.RequestRow;

/**
 * Drives replicas on a virtual clock: requests arrive at their trace times, each replica steps whenever it is free,
 * and a step lasts what the executor says. Events are processed in time order (arrivals before steps at equal
 * times, lower replica index first), so a run is deterministic.
 */
public final class Simulation {

    /** Called after every step, on the engine's thread; a test may block here to swap a plugin at an exact step. */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(Replica replica, long endNanos);
    }

    /** The cluster's policy slots: one per kind of {@link PluginKind.Scope#CLUSTER cluster scope}. */
    public static final class ClusterSlots extends SlotTable {
        /** @param slots one slot per cluster-scope kind */
        public ClusterSlots(Map<PluginKind, ? extends PolicySlot<?>> slots) {
            super(PluginKind.Scope.CLUSTER, slots);
        }

        public ClusterSlots(PolicySlot<Router> router, PolicySlot<Admission> admission) {
            this(Map.of(PluginKind.ROUTER, router, PluginKind.ADMISSION, admission));
        }

        public PolicySlot<Router> router() {
            return slot(PluginKind.ROUTER, Router.class);
        }

        public PolicySlot<Admission> admission() {
            return slot(PluginKind.ADMISSION, Admission.class);
        }
    }

    private final List<Replica> replicas;
    private final List<ReplicaView> replicaViews;
    private final ClusterSlots slots;
    private final ResultSink sink;
    private final long[] freeAt;
    private StepListener listener = (replica, end) -> {};
    private long submitted;
    private long rejected;

    public Simulation(List<Replica> replicas, ClusterSlots slots, ResultSink sink) {
        if (replicas.isEmpty()) throw new IllegalArgumentException("a simulation needs at least one replica");
        this.replicas = List.copyOf(replicas);
        this.replicaViews = List.copyOf(replicas);
        this.slots = slots;
        this.sink = sink;
        this.freeAt = new long[replicas.size()];
    }

    public Simulation onStep(StepListener listener) {
        this.listener = Objects.requireNonNull(listener);
        return this;
    }

    /**
     * Replays {@code trace} (in arrival order) to completion.
     *
     * @return the virtual time at which the last step ended, nanoseconds
     */
    public long run(Iterator<TraceRequest> trace) {
        TraceRequest next = trace.hasNext() ? trace.next() : null;
        long lastArrival = Long.MIN_VALUE;
        long end = 0;
        while (true) {
            int r = nextReplica();
            long stepAt = r < 0 ? Long.MAX_VALUE : freeAt[r];
            if (next != null && next.arrivalNanos() <= stepAt) {
                if (next.arrivalNanos() < lastArrival) {
                    throw new EngineException("trace is not in arrival order: request " + next.id() + " arrives at "
                            + next.arrivalNanos() + " ns, before the previous one at " + lastArrival + " ns");
                }
                lastArrival = next.arrivalNanos();
                arrive(next);
                next = trace.hasNext() ? trace.next() : null;
            } else if (r >= 0) {
                var replica = replicas.get(r);
                long duration = replica.step(stepAt);
                freeAt[r] = stepAt + duration;
                end = Math.max(end, freeAt[r]);
                listener.afterStep(replica, freeAt[r]);
            } else {
                return end;
            }
        }
    }

    /** The replica with work that is free soonest, or -1 when none has work. */
    private int nextReplica() {
        int best = -1;
        for (int i = 0; i < freeAt.length; i++) {
            if (replicas.get(i).hasWork() && (best < 0 || freeAt[i] < freeAt[best])) best = i;
        }
        return best;
    }

    private void arrive(TraceRequest request) {
        submitted++;
        var view = new Arrival(request);
        var views = replicaViews;
        var admission = slots.admission().current();
        if (admission.policy().admit(view, views) instanceof Admission.Reject(String reason)) {
            rejected++;
            sink.request(new RequestRow(request.id(), -1, request.tenant(), request.priority(),
                    request.arrivalNanos(), -1, -1, -1, request.inputTokens(), 0, 0, 0, new long[0], 0, 0, 0,
                    "rejected by admission " + admission.id() + ": " + reason));
            return;
        }
        var router = slots.router().current();
        int target = router.policy().route(view, views);
        if (target < 0 || target >= replicas.size()) {
            sink.event(new EngineEvent.PolicyFault(request.arrivalNanos(), -1, -1, "router", router.id(), false,
                    "routed request " + request.id() + " to replica " + target + " of " + replicas.size()
                            + "; sent to replica 0"));
            target = 0;
        }
        var replica = replicas.get(target);
        if (!replica.hasWork()) freeAt[target] = Math.max(freeAt[target], request.arrivalNanos());
        replica.submit(request);
    }

    public long submitted() {
        return submitted;
    }

    public long rejected() {
        return rejected;
    }

    public List<Replica> replicas() {
        return replicas;
    }

    private record Arrival(TraceRequest request) implements RequestView {
        @Override public long id() { return request.id(); }
        @Override public long arrivalNanos() { return request.arrivalNanos(); }
        @Override public int promptTokens() { return request.inputTokens(); }
        @Override public int maxOutputTokens() { return request.outputTokens(); }
        @Override public int priority() { return request.priority(); }
        @Override public String tenant() { return request.tenant(); }
    }
}

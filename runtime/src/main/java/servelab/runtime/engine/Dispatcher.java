package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

import servelab.api.route.Admission;
import servelab.api.route.ReplicaView;
import servelab.api.route.Router;
import servelab.runtime.cluster.RoutedRequest;

/**
 * Asks the admission and routing policies about one request, on the engine's thread. A slot swapped since the last
 * request (jar drop, {@code servelab ctl switch}) is recorded as a swap event with its parameters. A policy that
 * throws, a router that names no candidate, or a degradation to a group that does not exist is recorded as a fault
 * and its slot goes back to the previous policy, which decides again; with no previous policy the run stops with an
 * {@link EngineException} (the simulation then records every request not yet finished as failed).
 *
 * <p>The gateway says which replicas an attempt may go to (available ones its breaker allows, not the replica of the
 * copy it hedges); admission sees the available replicas and the router only the eligible ones. When none of its
 * candidates is eligible the attempt goes to the fallback group's eligible replicas, and with none there either it
 * gets no replica ({@link #NONE_AVAILABLE}). The candidate lists are copied only when a replica is left out, so a
 * healthy cluster routes without allocating.
 */
final class Dispatcher {
    /**
     * What happened to a request: the replica it goes to (or -1 with the rejection's reason), why it was degraded
     * ({@code ""} if not), and the measured wall time of the calls (0 unless asked for).
     */
    record Outcome(int replica, String rejection, String degradedReason, long cpuNanos) {}

    private final ClusterSlots slots;
    private final List<ReplicaView> views;
    private final Map<String, List<ReplicaView>> groups = new LinkedHashMap<>();
    private final ResultSink events;
    private final boolean measureCpu;
    private final java.util.function.IntSupplier unavailable;
    private final List<ReplicaView> fallback;
    private IntPredicate eligible = replica -> true;
    private PolicySlot.Installed<Router> router;
    private PolicySlot.Installed<Admission> admission;

    /**
     * @param unavailable   how many replicas are unavailable now (0: nothing to filter for admission)
     * @param fallbackGroup group that takes attempts none of whose candidates is eligible ({@code ""}: none)
     */
    Dispatcher(ClusterSlots slots, List<ReplicaView> views, ResultSink events, boolean measureCpu,
               java.util.function.IntSupplier unavailable, String fallbackGroup) {
        this.unavailable = unavailable;
        this.slots = slots;
        this.views = views;
        for (var v : views) groups.computeIfAbsent(v.group(), g -> new java.util.ArrayList<>()).add(v);
        groups.replaceAll((g, list) -> List.copyOf(list));
        this.events = events;
        this.measureCpu = measureCpu;
        this.router = slots.router().current();
        this.admission = slots.admission().current();
        if (!fallbackGroup.isEmpty() && !groups.containsKey(fallbackGroup)) {
            throw new IllegalArgumentException("gateway.fallback_group '" + fallbackGroup + "' is not a replica group; "
                    + "groups: " + String.join(", ", groups.keySet()));
        }
        this.fallback = fallbackGroup.isEmpty() ? List.of() : groups.get(fallbackGroup);
    }

    /**
     * Admission, then routing among the eligible candidates. An outcome with replica -1 and no rejection means no
     * eligible replica (not even in the fallback group).
     *
     * @param eligible whether the attempt may go to a replica (by index); asked once per candidate
     */
    Outcome dispatch(RoutedRequest request, long now, IntPredicate eligible) {
        this.eligible = eligible;
        return dispatch(request, now);
    }

    private Outcome dispatch(RoutedRequest request, long now) {
        long start = measureCpu ? System.nanoTime() : 0;
        var all = available(views);
        if (all.isEmpty()) return new Outcome(-1, "", "", 0); // no replica: the gateway decides what follows
        var decision = admit(request, all, now);
        Outcome outcome = switch (decision) {
            case Admission.Admit a -> new Outcome(route(request, all, now), "", "", 0);
            case Admission.Reject(String reason) ->
                    new Outcome(-1, servelab.runtime.record.RequestRow.REJECTED_PREFIX + admission.id() + ": " + reason, "", 0);
            case Admission.Degrade(var cap, var group, String reason) -> {
                cap.ifPresent(request::capOutput);
                var candidates = group.map(groups::get).orElse(all);
                yield new Outcome(route(request, candidates, now), "", "admission " + admission.id() + ": " + reason, 0);
            }
        };
        return measureCpu ? new Outcome(outcome.replica(), outcome.rejection(), outcome.degradedReason(),
                System.nanoTime() - start) : outcome;
    }

    /** Why an attempt got no replica. */
    static final String NONE_AVAILABLE = "no replica available (down, starting, draining, off, partitioned or its "
            + "breaker open)";

    /** {@code candidates} less the unavailable replicas; the list itself while every replica is available. */
    private List<ReplicaView> available(List<ReplicaView> candidates) {
        if (unavailable.getAsInt() == 0) return candidates;
        var out = new java.util.ArrayList<ReplicaView>(candidates.size());
        for (var v : candidates) if (v.isAvailable()) out.add(v);
        return out;
    }

    private Admission.Decision admit(RoutedRequest request, List<ReplicaView> views, long now) {
        while (true) {
            admission = noteSwap(slots.admission(), admission, now);
            String fault;
            try {
                var decision = admission.policy().admit(request, views);
                if (decision == null) {
                    fault = "admit returned null for request " + request.id();
                } else if (decision instanceof Admission.Degrade(var cap, var group, var reason)
                        && group.isPresent() && !groups.containsKey(group.get())) {
                    fault = "degraded request " + request.id() + " to group '" + group.get() + "'; groups: "
                            + String.join(", ", groups.keySet());
                } else {
                    return decision;
                }
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                fault = "admission of request " + request.id() + " threw " + e;
            }
            fallBack(slots.admission(), admission, now, fault);
        }
    }

    private int route(RoutedRequest request, List<ReplicaView> all, long now) {
        var candidates = eligibleOf(all);
        if (candidates.isEmpty()) candidates = eligibleOf(fallback);
        if (candidates.isEmpty()) return -1;
        while (true) {
            router = noteSwap(slots.router(), router, now);
            String fault;
            try {
                int target = router.policy().route(request, candidates);
                if (isCandidate(target, candidates)) return target;
                fault = "routed request " + request.id() + " to replica " + target + ", not one of its "
                        + candidates.size() + " candidates (" + candidates.getFirst().index() + " .. "
                        + candidates.getLast().index() + ")";
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                fault = "routing request " + request.id() + " threw " + e;
            }
            fallBack(slots.router(), router, now, fault);
        }
    }

    /** The eligible ones of {@code candidates}, in index order; {@code candidates} itself when all are eligible. */
    private List<ReplicaView> eligibleOf(List<ReplicaView> candidates) {
        int n = candidates.size();
        int first = 0;
        while (first < n && eligible.test(candidates.get(first).index())) first++;
        if (first == n) return candidates;
        var kept = new ArrayList<ReplicaView>(n - 1);
        kept.addAll(candidates.subList(0, first));
        for (int i = first + 1; i < n; i++) if (eligible.test(candidates.get(i).index())) kept.add(candidates.get(i));
        return kept;
    }

    /** Candidates are in index order: a binary search finds a returned index among them. */
    private static boolean isCandidate(int target, List<ReplicaView> candidates) {
        int lo = 0, hi = candidates.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int index = candidates.get(mid).index();
            if (index == target) return true;
            if (index < target) lo = mid + 1;
            else hi = mid - 1;
        }
        return false;
    }

    /** Records swaps of the admission and router slots now, without waiting for the next arrival to ask them. */
    void noteSwaps(long now) {
        admission = noteSwap(slots.admission(), admission, now);
        router = noteSwap(slots.router(), router, now);
    }

    <T> PolicySlot.Installed<T> noteSwap(PolicySlot<T> slot, PolicySlot.Installed<T> inUse, long now) {
        if (slot.current() == inUse) return inUse;
        var from = inUse;
        for (var next : slot.changesSince(inUse)) {
            events.event(EngineEvent.PolicySwap.of(now, -1, -1, from, next));
            from = next;
        }
        return from;
    }

    <T> void fallBack(PolicySlot<T> slot, PolicySlot.Installed<T> faulty, long now, String what) {
        String kind = faulty.descriptor().kind().id();
        boolean reverted = slot.revert(faulty);
        String next = reverted ? slot.current().id() : "";
        events.event(new EngineEvent.PolicyFault(now, -1, -1, kind, faulty.id(), reverted, what
                + (reverted ? "; back to " + next : "; no previous " + kind + " to go back to: the run stops")));
        if (!reverted) {
            throw new EngineException(kind + " " + faulty.id() + " faulted (" + what + ") and there is no previous "
                    + kind + " to go back to");
        }
    }
}

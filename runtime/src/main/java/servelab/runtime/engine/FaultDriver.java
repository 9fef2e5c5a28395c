package servelab.runtime.engine;

import java.util.List;

import servelab.api.resilience.AttemptEnd;

import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.FaultState;
import servelab.runtime.cluster.ReplicaState;

/**
 * Applies an injected fault's start and end as the simulation reaches them: keeps the {@link FaultState} current,
 * crashes and restarts replicas through the {@link Lifecycle}, slows stragglers' steps, and records each start and
 * end as an event. A crash lands between steps: one due while its replica is in a step takes effect when the step
 * ends (the step's tokens were already produced).
 */
final class FaultDriver {
    /** Where the requests a crash lost go: the gateway ends their attempts (and its retry policy decides). */
    @FunctionalInterface
    interface LostRequests {
        void attemptsLost(int replica, List<Replica.Lost> lost, AttemptEnd.Result result, long nowNanos);
    }

    private final List<Replica> replicas;
    private final long[] freeAt;
    private final FaultState faults;
    private final Lifecycle lifecycle;
    private final Control.Queue control;
    private final ResultSink events;
    private final long[] coldStartNanos;
    private final boolean[] crashed;
    private final LostRequests lostTo;

    /** @param coldStartNanos per replica, its model load time (weights over the load bandwidth) */
    FaultDriver(List<Replica> replicas, long[] freeAt, FaultState faults, Lifecycle lifecycle, Control.Queue control,
                ResultSink events, long[] coldStartNanos, LostRequests lostTo) { // lostTo null: no gateway
        this.lostTo = lostTo;
        this.replicas = replicas;
        this.freeAt = freeAt;
        this.faults = faults;
        this.lifecycle = lifecycle;
        this.control = control;
        this.events = events;
        this.coldStartNanos = coldStartNanos.clone();
        this.crashed = new boolean[replicas.size()];
    }

    /** Queues every start and end of {@code schedule}. */
    void schedule(List<Fault> schedule) {
        for (var fault : schedule) {
            if (fault.replica() >= replicas.size()) {
                throw new IllegalArgumentException(fault.describe() + ": the cluster has " + replicas.size() + " replicas");
            }
            control.add(new Control.Edge(fault.startNanos(), fault, true));
            if (!(fault instanceof Fault.Crash)) control.add(new Control.Edge(fault.endNanos(), fault, false));
        }
    }

    /** The cold start of {@code replica} (load plus {@code warmupNanos}). */
    long coldStartNanos(int replica, long warmupNanos) {
        return coldStartNanos[replica] + warmupNanos;
    }

    void edge(Control.Edge edge, long now) {
        var fault = edge.fault();
        boolean on = edge.start();
        switch (fault) {
            case Fault.Crash c -> crash(c, now);
            case Fault.Straggle s -> {
                faults.slowDown(s.replica(), on ? s.factor() : 1.0);
                replicas.get(s.replica()).slowDown(on ? s.factor() : 1.0);
                record(fault, on, now, "");
            }
            case Fault.Partition p -> {
                faults.partition(p.replica(), on);
                lifecycle.recount();
                record(fault, on, now, "");
            }
            case Fault.LostResponses l -> {
                for (int r = 0; r < replicas.size(); r++) {
                    if (l.replica() == Fault.ALL || l.replica() == r) faults.loseResponses(r, on ? l.probability() : 0);
                }
                record(fault, on, now, "");
            }
        }
    }

    private void crash(Fault.Crash c, long now) {
        int r = c.replica();
        if (freeAt[r] > now) { // in a step: the crash waits for its end
            control.add(new Control.Edge(freeAt[r], c, true));
            return;
        }
        var state = lifecycle.state(r);
        String late = now > c.startNanos() ? " (due at " + c.startNanos() / 1e6 + " ms, during a step)" : "";
        if (state == ReplicaState.DOWN || state == ReplicaState.OFF) { // a start and its end: every start is paired
            record(c, true, now, "replica already " + state.id() + ": nothing to crash" + late);
            record(c, false, now, "nothing crashed");
            return;
        }
        if (crashed[r]) { // crashed again during the restart after an earlier crash: that one ends here
            events.event(new EngineEvent.InjectedFault(now, r, "crash", false,
                    "crashed again during its cold start: its restart is cut short"));
            crashed[r] = false;
        }
        // without a gateway to end the lost requests, the replica records them as failed itself
        var lost = replicas.get(r).crash(now, lostTo == null ? "replica " + r + " crashed at " + now / 1e6 + " ms" : null);
        int tokens = 0;
        for (var l : lost) tokens += l.computedTokens();
        record(c, true, now, lost.size() + " requests lost, " + tokens + " computed tokens thrown away" + late);
        crashed[r] = true;
        lifecycle.change(r, ReplicaState.DOWN, now, "crash");
        if (state == ReplicaState.DRAINING) { // the autoscaler had taken it out: the crash ends the drain, no restart
            lifecycle.change(r, ReplicaState.OFF, now, "crashed while draining: it stays off");
            crashed[r] = false; // off, not down: nothing is left for the crash to end
            events.event(new EngineEvent.InjectedFault(now, r, "crash", false, "crashed while draining: off, not restarted"));
        } else if (c.restart()) {
            long ready = now + coldStartNanos(r, c.warmupNanos());
            lifecycle.starting(r, now, ready, "restart after crash: cold start of " + (ready - now) / 1e6 + " ms");
            control.add(new Control.Ready(ready, r));
        }
        if (lostTo != null) lostTo.attemptsLost(r, lost, AttemptEnd.Result.CRASHED, now); // after the state change: retries avoid it
    }

    /** Replica {@code r} finished a cold start: if a crash caused it, the crash is over. */
    void restarted(int r, long now) {
        if (crashed[r]) {
            crashed[r] = false;
            events.event(new EngineEvent.InjectedFault(now, r, "crash", false, "serving again after its cold start"));
        }
    }

    /** Replica {@code r} was stopped by the autoscaler while starting: a crash's restart cut short ends the crash. */
    void stoppedWhileRestarting(int r, long now) {
        if (crashed[r]) {
            crashed[r] = false;
            events.event(new EngineEvent.InjectedFault(now, r, "crash", false,
                    "stopped by the autoscaler during its restart: off, not down"));
        }
    }

    private void record(Fault fault, boolean started, long now, String detail) {
        String text = fault.describe() + (detail.isEmpty() ? "" : "; " + detail);
        events.event(new EngineEvent.InjectedFault(now, fault.replica(), fault.kind(), started, text));
    }
}

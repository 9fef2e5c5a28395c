package servelab.runtime.engine;

import java.util.Arrays;

import servelab.runtime.cluster.FaultState;
import servelab.runtime.cluster.ReplicaState;

/**
 * Each replica's {@link ReplicaState}, whether the router may use it, and the replica-seconds it cost (time spent
 * serving, starting or draining). Every change is recorded as a {@link EngineEvent.ReplicaStateChange}. Replicas
 * start serving unless the autoscaler's initial fleet leaves them off.
 */
final class Lifecycle {
    private final ReplicaState[] state;
    private final long[] since;
    private final long[] billedNanos;
    private final long[] readyAt;
    private final FaultState faults;
    private final ResultSink events;
    private int unavailable;

    /** @param serving replicas {@code 0 .. serving - 1} start serving, the rest are off */
    Lifecycle(int replicas, int serving, FaultState faults, ResultSink events) {
        state = new ReplicaState[replicas];
        for (int r = 0; r < replicas; r++) state[r] = r < serving ? ReplicaState.SERVING : ReplicaState.OFF;
        since = new long[replicas];
        billedNanos = new long[replicas];
        readyAt = new long[replicas];
        Arrays.fill(readyAt, -1);
        this.faults = faults;
        this.events = events;
        recount();
    }

    ReplicaState state(int replica) {
        return state[replica];
    }

    /** Whether the router may send replica {@code replica} a request: serving and not cut off by a partition. */
    boolean available(int replica) {
        return state[replica] == ReplicaState.SERVING && !faults.partitioned(replica);
    }

    /** Replicas the router may not use now; 0 in a healthy, fixed fleet (the dispatcher then filters nothing). */
    int unavailable() {
        return unavailable;
    }

    /** When a starting replica's cold start ends, -1 when it is not starting. */
    long readyAt(int replica) {
        return state[replica] == ReplicaState.STARTING ? readyAt[replica] : -1;
    }

    int count(ReplicaState s) {
        int n = 0;
        for (var x : state) if (x == s) n++;
        return n;
    }

    /** Before the run: the replica starts off (beyond the autoscaler's initial fleet), with no event. */
    void startOff(int replica) {
        state[replica] = ReplicaState.OFF;
        recount();
    }

    void change(int replica, ReplicaState to, long now, String reason) {
        var from = state[replica];
        if (from.billed()) billedNanos[replica] += now - since[replica];
        state[replica] = to;
        since[replica] = now;
        events.event(new EngineEvent.ReplicaStateChange(now, replica, from.id(), to.id(), reason));
        recount();
    }

    /** Starts a cold start that ends at {@code ready}. */
    void starting(int replica, long now, long ready, String reason) {
        readyAt[replica] = ready;
        change(replica, ReplicaState.STARTING, now, reason);
    }

    /** A partition began or ended: availability changed without a state change. */
    void recount() {
        int n = 0;
        for (int r = 0; r < state.length; r++) if (!available(r)) n++;
        unavailable = n;
    }

    /** Replica-seconds of {@code replica} up to {@code now}, nanoseconds. */
    long billedNanos(int replica, long now) {
        return billedNanos[replica] + (state[replica].billed() ? Math.max(0, now - since[replica]) : 0);
    }
}

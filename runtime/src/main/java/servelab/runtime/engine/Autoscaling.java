package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import servelab.api.route.ReplicaView;
import servelab.api.scale.Autoscaler;
import servelab.api.scale.FleetView;
import servelab.runtime.cluster.ReplicaState;

/**
 * Asks the autoscaler slot every interval how many replicas it wants serving or starting, clamps that to
 * [min, max] and acts: a draining replica is taken back first (it serves at once), then off replicas start
 * (lowest index first; they serve after their cold start). Fewer: starting replicas stop first (latest index first;
 * they hold no requests), then the least-queued serving replicas drain (no new requests; off when their own have
 * finished). Each decision that changes the fleet is a {@link EngineEvent.Scaling} event. An autoscaler that throws
 * or answers nonsense is a fault: its slot goes back to the previous autoscaler, or the fleet stays as it is.
 */
final class Autoscaling {
    /**
     * @param min           fewest replicas serving or starting, &gt;= 1
     * @param max           most, &lt;= the cluster's replicas
     * @param initial       replicas serving at the start; the others are off
     * @param intervalNanos how often the autoscaler is asked
     * @param warmupNanos   added to a started replica's model load
     */
    record Settings(int min, int max, int initial, long intervalNanos, long warmupNanos) {
        Settings {
            if (min < 1 || max < min || initial < min || initial > max) {
                throw new IllegalArgumentException("autoscaling needs 1 <= min <= initial <= max, was min " + min
                        + ", initial " + initial + ", max " + max);
            }
            if (intervalNanos <= 0) throw new IllegalArgumentException("autoscaling interval must be > 0 ns");
            if (warmupNanos < 0) throw new IllegalArgumentException("autoscaling warm-up must be >= 0 ns");
        }
    }

    private final Settings settings;
    private final PolicySlot<Autoscaler> slot;
    private final Lifecycle lifecycle;
    private final List<Replica> replicas;
    private final List<ReplicaView> views;
    private final long[] coldStartNanos;
    private final Control.Queue control;
    private final ResultSink events;
    private final long[] busyNanos;
    private final long[] busyAtTick;
    private final TtftWindow ttfts = new TtftWindow();
    private PolicySlot.Installed<Autoscaler> inUse;
    private long arrivals;
    private long arrivalsAtTick;
    /** Told of a replica stopped while starting (a crash's restart cut short ends the crash). */
    private final java.util.function.ObjLongConsumer<Integer> stoppedWhileStarting;
    /** The router's count of copies sent to each replica and not ended (on the network, or on the replica). */
    private final servelab.runtime.cluster.LoadBoard board;

    Autoscaling(Settings settings, PolicySlot<Autoscaler> slot, Lifecycle lifecycle, List<Replica> replicas,
                List<ReplicaView> views, long[] coldStartNanos, Control.Queue control, ResultSink events,
                java.util.function.ObjLongConsumer<Integer> stoppedWhileStarting, servelab.runtime.cluster.LoadBoard board) {
        if (settings.max() > replicas.size()) {
            throw new IllegalArgumentException("autoscaling.max " + settings.max() + " is more than the cluster's "
                    + replicas.size() + " replicas");
        }
        this.settings = settings;
        this.slot = slot;
        this.lifecycle = lifecycle;
        this.replicas = replicas;
        this.views = views;
        this.coldStartNanos = coldStartNanos.clone();
        this.control = control;
        this.events = events;
        this.stoppedWhileStarting = stoppedWhileStarting;
        this.board = board;
        this.busyNanos = new long[replicas.size()];
        this.busyAtTick = new long[replicas.size()];
        this.inUse = slot.current();
        for (int r = settings.initial(); r < replicas.size(); r++) lifecycle.startOff(r);
        control.add(new Control.Tick(settings.intervalNanos()));
    }

    void arrived() {
        arrivals++;
    }

    void stepped(int replica, long durationNanos) {
        busyNanos[replica] += durationNanos;
    }

    /** A request's first token reached the client {@code ttftNanos} after it reached the router. */
    void firstToken(long ttftNanos) {
        ttfts.add(ttftNanos);
    }

    /** A draining replica with nothing left goes off. */
    void settle(int replica, long now) {
        if (lifecycle.state(replica) == ReplicaState.DRAINING && idle(replica)) {
            lifecycle.change(replica, ReplicaState.OFF, now, "drained");
        }
    }

    /**
     * No work, and none on its way: a draining replica goes off only then (one emptied while a copy crossed the
     * network to it went off at once, and the copy failed as unreachable).
     */
    boolean idle(int r) {
        return !replicas.get(r).hasWork() && board.inFlight(r) == 0;
    }

    void tick(long now) {
        var fleet = new Fleet(now);
        int had = fleet.servingReplicas() + fleet.startingReplicas();
        int asked = ask(fleet, now);
        arrivalsAtTick = arrivals;
        System.arraycopy(busyNanos, 0, busyAtTick, 0, busyNanos.length);
        ttfts.clear();
        control.add(new Control.Tick(now + settings.intervalNanos()));
        if (asked < 0) return;
        int wanted = Math.clamp(asked, settings.min(), settings.max());
        if (wanted == had) return;
        var acted = wanted > had ? grow(wanted - had, now) : shrink(had - wanted, now);
        if (acted.isEmpty()) return; // nothing to start or drain: no decision changed the fleet, so no scale row
        if (wanted > had && acted.size() < wanted - had) acted.add((wanted - had - acted.size()) + " more wanted, none off");
        events.event(new EngineEvent.Scaling(now, inUse.id(), had, asked, (wanted != asked ? "clamped to "
                + wanted + "; " : "") + String.join(", ", acted)));
    }

    /**
     * Records a switch of the autoscaler now, after a step as the other cluster slots' are (it was recorded only at
     * the next tick: never, when the run ended first, though ctl had answered it).
     */
    void noteSwaps(long now) {
        if (slot.current() == inUse) return;
        for (var next : slot.changesSince(inUse)) {
            events.event(EngineEvent.PolicySwap.of(now, -1, -1, inUse, next));
            inUse = next;
        }
    }

    /** The autoscaler's answer, or -1 when it faulted (recorded, and its slot reverted when it can be). */
    private int ask(Fleet fleet, long now) {
        noteSwaps(now);
        String fault;
        try {
            int n = inUse.policy().desiredReplicas(fleet);
            if (n >= 0) return n;
            fault = "asked for " + n + " replicas";
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
            fault = "desiredReplicas threw " + e;
        }
        boolean reverted = slot.revert(inUse);
        events.event(new EngineEvent.PolicyFault(now, -1, -1, inUse.descriptor().kind().id(), inUse.id(), reverted,
                fault + (reverted ? "; back to " + slot.current().id() : "; the fleet stays as it is")));
        return -1;
    }

    private List<String> grow(int n, long now) {
        var acted = new ArrayList<String>();
        for (int r = 0; r < replicas.size() && acted.size() < n; r++) {
            if (lifecycle.state(r) != ReplicaState.DRAINING) continue;
            lifecycle.change(r, ReplicaState.SERVING, now, "autoscaler: taken back while draining");
            acted.add("r" + r + " back from draining");
        }
        for (int r = 0; r < replicas.size() && acted.size() < n; r++) {
            if (lifecycle.state(r) != ReplicaState.OFF) continue;
            long ready = now + coldStartNanos[r] + settings.warmupNanos();
            lifecycle.starting(r, now, ready, "autoscaler: cold start of " + (ready - now) / 1e6 + " ms");
            control.add(new Control.Ready(ready, r));
            acted.add("start r" + r);
        }
        return acted;
    }

    private List<String> shrink(int n, long now) {
        var acted = new ArrayList<String>();
        for (int r = replicas.size() - 1; r >= 0 && acted.size() < n; r--) {
            if (lifecycle.state(r) != ReplicaState.STARTING) continue;
            lifecycle.change(r, ReplicaState.OFF, now, "autoscaler: stopped while starting");
            stoppedWhileStarting.accept(r, now);
            acted.add("stop r" + r);
        }
        while (acted.size() < n) {
            int pick = -1;
            for (int r = 0; r < replicas.size(); r++) {
                if (lifecycle.state(r) != ReplicaState.SERVING) continue;
                if (pick < 0 || replicas.get(r).queuedRequests() <= replicas.get(pick).queuedRequests()) pick = r;
            }
            if (pick < 0) break;
            lifecycle.change(pick, ReplicaState.DRAINING, now, "autoscaler: drain (least queued)");
            acted.add("drain r" + pick);
            settle(pick, now);
        }
        return acted;
    }

    /** The fleet as the autoscaler sees it at the end of an interval. */
    private final class Fleet implements FleetView {
        private final long now;

        Fleet(long now) {
            this.now = now;
        }

        @Override public long nowNanos() { return now; }
        @Override public long intervalNanos() { return settings.intervalNanos(); }
        @Override public int servingReplicas() { return lifecycle.count(ReplicaState.SERVING); }
        @Override public int startingReplicas() { return lifecycle.count(ReplicaState.STARTING); }
        @Override public int drainingReplicas() { return lifecycle.count(ReplicaState.DRAINING); }
        @Override public int minReplicas() { return settings.min(); }
        @Override public int maxReplicas() { return settings.max(); }
        @Override public List<ReplicaView> replicas() { return views; }

        @Override
        public double arrivalsPerSecond() {
            return (arrivals - arrivalsAtTick) / (settings.intervalNanos() / 1e9);
        }

        @Override
        public double utilisation() {
            long busy = 0;
            int serving = 0;
            for (int r = 0; r < replicas.size(); r++) {
                if (lifecycle.state(r) != ReplicaState.SERVING) continue;
                serving++;
                busy += busyNanos[r] - busyAtTick[r];
            }
            return serving == 0 ? 0 : Math.min(1.0, busy / ((double) serving * settings.intervalNanos()));
        }

        @Override
        public int waitingRequests() {
            int n = 0;
            for (int r = 0; r < replicas.size(); r++) {
                if (lifecycle.state(r) == ReplicaState.SERVING) n += replicas.get(r).waitingRequests();
            }
            return n;
        }

        @Override
        public long recentTtftNanos(double quantile) {
            return ttfts.quantile(quantile);
        }
    }

    /** The times to first token of one interval; a quantile sorts a copy (once per interval, per call). */
    private static final class TtftWindow {
        private long[] values = new long[64];
        private int size;

        void add(long v) {
            if (size == values.length) values = Arrays.copyOf(values, size * 2);
            values[size++] = v;
        }

        void clear() {
            size = 0;
        }

        long quantile(double q) {
            if (!(q >= 0 && q <= 1)) throw new IllegalArgumentException("quantile must be in [0, 1], was " + q);
            if (size == 0) return 0;
            var sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            return sorted[Math.min(size - 1, (int) Math.ceil(q * size) - (q == 0 ? 0 : 1))];
        }
    }
}

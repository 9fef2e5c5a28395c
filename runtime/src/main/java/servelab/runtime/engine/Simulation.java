package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.route.ReplicaView;
import servelab.datasets.TraceRequest;
import servelab.runtime.cluster.ClusterSeries;
import servelab.runtime.cluster.Fault;
import servelab.runtime.cluster.FaultState;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.LiveReplica;
import servelab.runtime.cluster.LoadBoard;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.PrefixIndex;
import servelab.runtime.cluster.ReplicaLoadView;
import servelab.runtime.cluster.ReplicaState;
import servelab.runtime.cluster.RoutedRequest;
import servelab.runtime.cluster.SessionKey;

/**
 * Drives a cluster of replicas on a virtual clock. A request leaves its client at its trace time; the {@link Gateway}
 * turns it into attempts, each crossing the network to the router (admission, then routing on the router's view of
 * the replicas) and on to a replica, whose tokens cross back to the client. Each replica steps whenever it is free,
 * and a step lasts what its executor says. Events are processed in time order: arrivals, then the gateway's events
 * (attempts reaching the router or a replica, retries, hedges, timeouts), then steps (lower replica index first), so
 * a run is deterministic; with no network delays a request is routed and submitted at its arrival, as a single
 * replica always was. Injected faults and cold starts ({@link #faults}) are cluster controls that fire before
 * anything else due at their instant.
 */
public final class Simulation {
    /** Called after every step, on the engine's thread; a test may block here to swap a plugin at an exact step. */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(Replica replica, long endNanos);
    }

    /**
     * How the cluster around the replicas behaves.
     *
     * @param network         one-way delays
     * @param viewRefreshNanos how often the router's view is refreshed (0: always exact)
     * @param estimatedPrefix the view's prefix contents come from the router's own decisions, not cache events
     * @param sessionKey      what a request's session key is
     * @param seriesNanos     interval of the cluster time series
     * @param routerCpu       measure admission and routing wall time per request
     * @param groups          each replica's group name
     */
    public record Options(Network network, long viewRefreshNanos, boolean estimatedPrefix, SessionKey sessionKey,
                          long seriesNanos, boolean routerCpu, List<String> groups, GatewaySettings gateway) {
        public Options {
            Objects.requireNonNull(network, "network");
            Objects.requireNonNull(gateway, "gateway");
            if (viewRefreshNanos < 0) throw new IllegalArgumentException("view refresh must be >= 0 ns");
            groups = List.copyOf(groups);
        }

        /** Options with the default gateway (no timeouts, idempotency keys on, no fallback group). */
        public Options(Network network, long viewRefreshNanos, boolean estimatedPrefix, SessionKey sessionKey,
                       long seriesNanos, boolean routerCpu, List<String> groups) {
            this(network, viewRefreshNanos, estimatedPrefix, sessionKey, seriesNanos, routerCpu, groups,
                    GatewaySettings.DEFAULT);
        }

        public static Options defaults(int replicas) {
            return new Options(Network.NONE, 0, false, SessionKey.AUTO, 100_000_000L, false,
                    java.util.Collections.nCopies(replicas, "default"));
        }

        public Options withGateway(GatewaySettings settings) {
            return new Options(network, viewRefreshNanos, estimatedPrefix, sessionKey, seriesNanos, routerCpu, groups,
                    settings);
        }
    }

    private final List<Replica> replicas;
    private final ClusterSink front;
    private final Options options;
    private final long[] freeAt;
    /** A draining replica emptied between steps has its Drained control queued for its step's end. */
    private final boolean[] drainDue;
    private final StepQueue ready;
    private final LoadBoard board;
    private final List<PrefixIndex> prefixes = new ArrayList<>();
    private final ClusterSeries series;
    private final int blockTokens;
    private final Gateway gateway;
    private final boolean hearsAnswers;
    private final FaultState faultState;
    private final Lifecycle lifecycle;
    private final Control.Queue control = new Control.Queue();
    private FaultDriver faults;
    private final ClusterSlots slots;
    private final List<ReplicaView> views;
    private Autoscaling autoscaling;
    private StepListener listener = (replica, end) -> {};
    private long nextRefresh;
    private long finishedNanos;
    private long clock;

    /**
     * A cluster with no network delays and an always-exact view, whose replicas were built with {@code sink} itself
     * (their rows go straight there): the gateway hands each request to its replica, no timeouts, retries or hedges.
     */
    public Simulation(List<Replica> replicas, ClusterSlots slots, ResultSink sink) {
        this(replicas, slots, new ClusterSink(sink, Network.NONE), Options.defaults(replicas.size()), false);
    }

    /** @param front the sink the replicas were built with, which forwards to the run's */
    public Simulation(List<Replica> replicas, ClusterSlots slots, ClusterSink front, Options options) {
        this(replicas, slots, front, options, true);
    }

    private Simulation(List<Replica> replicas, ClusterSlots slots, ClusterSink front, Options options,
                       boolean hearsAnswers) {
        if (replicas.isEmpty()) throw new IllegalArgumentException("a simulation needs at least one replica");
        if (options.groups().size() != replicas.size()) {
            throw new IllegalArgumentException("Options.groups names " + options.groups().size() + " replicas, not "
                    + replicas.size());
        }
        this.replicas = List.copyOf(replicas);
        this.front = front;
        this.options = options;
        this.freeAt = new long[replicas.size()];
        this.drainDue = new boolean[replicas.size()];
        this.ready = new StepQueue(freeAt, r -> this.replicas.get(r).hasWork());
        this.blockTokens = replicas.getFirst().blockSizeTokens();
        var live = new ArrayList<LiveReplica>();
        for (var r : replicas) live.add(ClusterAdapters.live(r, () -> clock));
        this.board = new LoadBoard(live, options.viewRefreshNanos() == 0);
        var views = new ArrayList<ReplicaView>();
        for (int i = 0; i < replicas.size(); i++) {
            var replica = replicas.get(i);
            var index = options.estimatedPrefix() ? PrefixIndex.estimated(replica.totalBlocks())
                    : PrefixIndex.precise(replica.totalBlocks(), options.viewRefreshNanos() > 0);
            if (index.isPrecise()) replica.onCacheEvents(ClusterAdapters.events(index));
            prefixes.add(index);
            views.add(new ReplicaLoadView(i, options.groups().get(i), board, index));
        }
        this.series = new ClusterSeries(live, board, options.groups(), options.seriesNanos(), front::cluster);
        front.attach(series);
        this.faultState = new FaultState(replicas.size());
        this.lifecycle = new Lifecycle(replicas.size(), replicas.size(), faultState, front);
        for (var view : views) ((ReplicaLoadView) view).availableWhen(lifecycle::available);
        this.slots = slots;
        this.views = List.copyOf(views);
        var dispatcher = new Dispatcher(slots, List.copyOf(views), front, options.routerCpu(), lifecycle::unavailable,
                options.gateway().fallbackGroup());
        this.hearsAnswers = hearsAnswers;
        this.gateway = new Gateway(new Gateway.Parts(this.replicas, List.copyOf(views), front, dispatcher,
                options.network(), board, series, prefixes, faultState, this::reachable, this::wake), slots,
                options.gateway(), hearsAnswers);
        front.replicaRows(gateway::replicaRow);
        front.routerArrivals(gateway::routerArrivalNanos);
    }

    /**
     * Injects {@code schedule}'s faults into the run (call before {@link #run}). A crashed replica that restarts
     * serves again after its cold start: {@code coldStartNanos[r]} (its model load) plus the crash's warm-up.
     */
    public Simulation faults(List<Fault> schedule, long[] coldStartNanos) {
        if (coldStartNanos.length != replicas.size()) throw new IllegalArgumentException("cold starts given for "
                + coldStartNanos.length + " replicas, not " + replicas.size());
        faults = new FaultDriver(replicas, freeAt, faultState, lifecycle, control, front, coldStartNanos,
                hearsAnswers ? this::attemptsLost : null);
        faults.schedule(schedule);
        return this;
    }

    /**
     * How the fleet scales: between {@code min} and {@code max} replicas serving or starting, {@code initial} at the
     * start (replicas {@code initial ..} are off), the autoscaler slot asked every {@code intervalNanos}; a started
     * replica serves after {@code coldStartNanos[r]} plus {@code warmupNanos}.
     */
    public record Scaling(int min, int max, int initial, long intervalNanos, long warmupNanos) {}

    /** Scales the fleet with the cluster's autoscaler slot as the run goes (call before {@link #run}). */
    public Simulation autoscale(Scaling scaling, long[] coldStartNanos) {
        if (coldStartNanos.length != replicas.size()) {
            throw new IllegalArgumentException("cold starts given for " + coldStartNanos.length + " replicas, not "
                    + replicas.size());
        }
        var settings = new Autoscaling.Settings(scaling.min(), scaling.max(), scaling.initial(),
                scaling.intervalNanos(), scaling.warmupNanos());
        autoscaling = new Autoscaling(settings, slots.slot(PluginKind.AUTOSCALER, servelab.api.scale.Autoscaler.class),
                lifecycle, replicas, views, coldStartNanos, control, front,
                (r, now) -> { if (faults != null) faults.stoppedWhileRestarting(r, now); }, board);
        front.onFirstToken(autoscaling::firstToken);
        return this;
    }

    /** Runs {@code action} when the run clock reaches {@code atNanos}, before that instant's arrivals and steps. */
    public Simulation at(long atNanos, Runnable action) {
        control.add(new Control.At(atNanos, action));
        return this;
    }

    /** The faults in force now, kept current as the run goes (what the gateway consults). */
    public FaultState faultState() {
        return faultState;
    }

    /** Replica {@code replica}'s lifecycle state now. */
    public ReplicaState state(int replica) {
        return lifecycle.state(replica);
    }

    /** Replica-seconds of {@code replica} (time serving, starting or draining) up to {@code nowNanos}, in ns. */
    public long replicaNanos(int replica, long nowNanos) {
        return lifecycle.billedNanos(replica, nowNanos);
    }

    public Simulation onStep(StepListener listener) {
        this.listener = Objects.requireNonNull(listener);
        return this;
    }

    /**
     * Replays {@code trace} (in arrival order) to completion. When the run stops on an {@link EngineException},
     * every request not yet on a replica (on the network, or not yet arrived) is recorded as failed first.
     *
     * @return the virtual time at which the last step ended, nanoseconds
     */
    public long run(Iterator<TraceRequest> trace) {
        var arrivals = new Arrivals(trace);
        try {
            long end = loop(arrivals);
            noteSwaps(clock);
            settleDrains(end);
            gateway.endOfRun(clock);
            finishedNanos = Math.max(end, front.lastResponseNanos());
            series.finish(finishedNanos);
            return end;
        } catch (EngineException | TraceReadFailure | java.io.UncheckedIOException e) { // the last: a result file
            String reason = "run aborted: " + e.getMessage();
            try {
                gateway.abort(reason, clock);
                while (arrivals.peekNanos() != Long.MAX_VALUE) gateway.neverArrived(arrivals.next(), reason);
            } catch (java.io.UncheckedIOException writing) { // the files may refuse these rows too: the first cause stays
                e.addSuppressed(writing);
            }
            throw e;
        }
    }

    private long loop(Arrivals arrivals) {
        long end = 0;
        while (true) {
            int r = nextReplica();
            long stepAt = r < 0 ? Long.MAX_VALUE : freeAt[r];
            long arriveAt = arrivals.peekNanos();
            long eventAt = gateway.nextEventNanos();
            long t = Math.min(stepAt, Math.min(arriveAt, eventAt));
            if (t == Long.MAX_VALUE) return end; // controls left (a fault's end, a cold start) change nothing now
            long controlAt = control.peekNanos();
            if (controlAt <= t) {
                advance(controlAt);
                control(control.poll(), controlAt);
                continue;
            }
            advance(t);
            if (arriveAt == t) {
                var request = arrivals.next();
                if (autoscaling != null) autoscaling.arrived();
                gateway.arrive(request, new RoutedRequest(request, options.sessionKey().of(request),
                        replicas.getFirst()::promptBlockKeys, blockTokens), t);
            } else if (eventAt == t) {
                gateway.fire(t);
                if (autoscaling != null) settleIdleDrains(t); // a deadline or a lost hedge can empty it between steps
            } else {
                var replica = replicas.get(r);
                gateway.stepping(true, t);
                long duration = replica.step(stepAt);
                gateway.stepping(false, stepAt + duration);
                freeAt[r] = stepAt + duration;
                ready.update(r);
                if (autoscaling != null) stepped(r, duration);
                end = Math.max(end, freeAt[r]);
                listener.afterStep(replica, freeAt[r]);
                noteSwaps(t);
            }
        }
    }

    private void noteSwaps(long at) { // the cluster slots' switches since last asked: after each step, and at the end
        gateway.noteSwaps(at);
        if (autoscaling != null) autoscaling.noteSwaps(at);
    }

    private void control(Control next, long now) {
        switch (next) {
            case Control.Edge edge -> faults.edge(edge, now);
            case Control.Ready ready -> {
                int r = ready.replica();
                if (lifecycle.readyAt(r) != ready.atNanos()) return; // crashed or stopped while starting
                lifecycle.change(r, ReplicaState.SERVING, now, "cold start done");
                if (faults != null) faults.restarted(r, now);
            }
            case Control.Drained drained -> {
                drainDue[drained.replica()] = false;
                autoscaling.settle(drained.replica(), now);
            }
            case Control.Tick tick -> autoscaling.tick(now);
            case Control.At at -> { at.action().run(); noteSwaps(now); }
        }
    }

    /** Replicas that drained in the run's last steps go off when those steps end; other controls left do nothing. */
    private void settleDrains(long end) {
        while (!control.isEmpty() && control.peekNanos() <= end) {
            if (control.poll() instanceof Control.Drained d) autoscaling.settle(d.replica(), d.atNanos());
        }
    }

    /**
     * Draining replicas left without work by an event between steps (a request withdrawn at its deadline, a losing
     * hedge) go off now: only a step's end checked, and one emptied that way stayed draining, billed, to the end.
     */
    private void settleIdleDrains(long now) {
        for (int r = 0; r < replicas.size(); r++) {
            if (lifecycle.state(r) != ReplicaState.DRAINING || !autoscaling.idle(r)) continue;
            if (freeAt[r] <= now) autoscaling.settle(r, now);
            else if (!drainDue[r]) { // emptied while its step runs: off when that step ends
                drainDue[r] = true;
                control.add(new Control.Drained(freeAt[r], r));
            }
        }
    }

    /** Utilisation for the autoscaler; a draining replica that ran out of work goes off when its step ends. */
    private void stepped(int r, long duration) {
        autoscaling.stepped(r, duration);
        if (lifecycle.state(r) == ReplicaState.DRAINING && autoscaling.idle(r)) control.add(new Control.Drained(freeAt[r], r));
    }

    /** Moves the clock to {@code t}, which must not be before it (the check that time never goes backwards). */
    private void advance(long t) {
        if (t < clock) throw new EngineException("time went backwards: an event at " + t + " ns after " + clock + " ns");
        observe(t); // with the clock where it was: what a tick or refresh reads held until t (a step's finishing too)
        clock = t;
    }

    /** A draining replica still takes what was already on its way; a down, starting or off one takes nothing. */
    private boolean reachable(int target) {
        if (faultState.partitioned(target)) return false;
        var state = lifecycle.state(target);
        return state == ReplicaState.SERVING || state == ReplicaState.DRAINING;
    }

    /** Ticks of the time series and view refreshes due by {@code t}, before anything at {@code t} happens. */
    private void observe(long t) {
        front.at(t);
        series.advanceTo(t);
        if (options.viewRefreshNanos() > 0 && nextRefresh <= t) {
            board.refresh();
            for (var index : prefixes) index.refresh();
            nextRefresh = (t / options.viewRefreshNanos() + 1) * options.viewRefreshNanos();
        }
    }

    /** A copy reaches {@code replica}: an idle one starts stepping now. */
    private void wake(int replica, long now) {
        if (!replicas.get(replica).hasWork()) freeAt[replica] = Math.max(freeAt[replica], now);
        ready.update(replica);
    }

    /** The replica with work that is free soonest (the lowest index among equals), or -1 when none has work. */
    private int nextReplica() {
        return ready.next();
    }

    /**
     * The crash hook: replica {@code replica} lost these requests (their KV is gone with it). Their attempts end with
     * {@code result} (normally {@link AttemptEnd.Result#CRASHED}), the tokens count as wasted, and the retry policy
     * decides what follows. Call it between steps, on the engine's thread.
     */
    void attemptsLost(int replica, List<Replica.Lost> lost, AttemptEnd.Result result, long nowNanos) {
        gateway.attemptsLost(replica, lost, result, nowNanos);
    }

    /** When the run ended: its last step, or the last response reaching its client if later (0 before the end). */
    public long finishedNanos() {
        return finishedNanos;
    }

    public long submitted() { return gateway.submitted(); }

    public long rejected() { return gateway.rejected(); }

    /** Retries the gateway answered from an answer the router held, or attached to a copy already running. */
    public long duplicatesAvoided() {
        return gateway.duplicatesAvoided();
    }

    public List<Replica> replicas() { return replicas; }
}

package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.RetryPolicy;
import servelab.api.route.ReplicaView;
import servelab.common.seed.Seeds;
import servelab.datasets.TraceRequest;
import servelab.runtime.cluster.ClusterSeries;
import servelab.runtime.cluster.FaultState;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.cluster.LoadBoard;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.PrefixIndex;
import servelab.runtime.cluster.RoutedRequest;
import servelab.runtime.engine.GatewayEvents.Answers;
import servelab.runtime.engine.GatewayEvents.AttemptTimeout;
import servelab.runtime.engine.GatewayEvents.Deadline;
import servelab.runtime.engine.GatewayEvents.Hedge;
import servelab.runtime.engine.GatewayEvents.Retry;
import servelab.runtime.engine.GatewayEvents.ToReplica;
import servelab.runtime.engine.GatewayEvents.ToRouter;
import servelab.runtime.engine.GatewayRequest.Attempt;
import servelab.runtime.engine.GatewayRequest.Execution;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RequestRow.Outcome;

/**
 * The client side of a cluster, between the trace and the router: it turns each request into attempts and ends the
 * request exactly once (completed, rejected, timed out or failed). An attempt is sent by the client, crosses to the
 * router (admission and routing among the replicas it may use), crosses to its replica, and its answer crosses back;
 * deadlines, per-attempt timeouts, retry delays and hedges are {@link GatewayEvents} on the virtual clock. The retry,
 * hedge and breaker policies are asked through {@link GatewayPolicies}; idempotency keys, timeouts and the fallback
 * group are {@link GatewaySettings}; attempts' timers and counts are {@link Attempts}, copies on replicas {@link
 * Copies}, what a retry reuses by key {@link IdempotencyKeys}. Work no client used is counted per request as wasted.
 *
 * <p>Rows a replica writes during a step are held until the step ends ({@link StepRows}).
 */
final class Gateway implements GatewayView {
    /** Lets an idle replica start stepping when a copy reaches it. */
    interface Wake {
        void beforeSubmit(int replica, long now);
    }

    private final List<Replica> replicas;
    private final List<ReplicaView> views;
    private final ClusterSink front;
    private final Dispatcher dispatcher;
    private final GatewayPolicies policies;
    private final Network network;
    private final ClusterSeries series;
    private final GatewaySettings settings;
    private final boolean hearsAnswers;
    private final GatewayEvents events = new GatewayEvents();
    private final LatencyWindow latencies;
    /** The hedged partner's replica, which an attempt may not go to (-1: none). */
    private int exclude = -1;
    /** Which replicas an attempt may go to: available, allowed by the breaker, not its hedged partner's. */
    private final IntPredicate eligible;
    private final StepRows stepRows = new StepRows();
    private final FaultState faults;
    private final Copies copies;
    private final IdempotencyKeys keys;
    private final Attempts attempts;
    private final LiveRequests requests = new LiveRequests();
    private long now;
    private int live;
    private long submitted, rejected;

    /** The simulation's parts the gateway drives. */
    record Parts(List<Replica> replicas, List<ReplicaView> views, ClusterSink front, Dispatcher dispatcher,
                 Network network, LoadBoard board, ClusterSeries series, List<PrefixIndex> prefixes, FaultState faults,
                 IntPredicate reachable, Wake wake) {}

    /** @param hearsAnswers whether replica rows reach the gateway; if not, a request is handed to its replica */
    Gateway(Parts parts, ClusterSlots slots, GatewaySettings settings, boolean hearsAnswers) {
        this.hearsAnswers = hearsAnswers;
        this.replicas = parts.replicas();
        this.views = parts.views();
        this.front = parts.front();
        this.dispatcher = parts.dispatcher();
        this.policies = new GatewayPolicies(slots, dispatcher);
        this.network = parts.network();
        this.series = parts.series();
        this.settings = settings;
        this.latencies = new LatencyWindow(settings.latencyWindow());
        this.faults = parts.faults();
        this.copies = new Copies(replicas, parts.board(), parts.prefixes(), parts.reachable(), parts.wake());
        this.keys = new IdempotencyKeys(settings.idempotency(), views, copies);
        this.attempts = new Attempts(events, policies, settings, this);
        this.eligible = r -> r != exclude && views.get(r).isAvailable() && policies.allows(r, this, now);
    }

    // --- the event loop's side ------------------------------------------------------------------------------------

    long nextEventNanos() {
        return events.peekNanos();
    }

    /** A trace request arrives at its client: attempt 0 leaves at once. */
    void arrive(TraceRequest trace, RoutedRequest routed, long at) {
        now = at;
        submitted++;
        live++;
        series.requestArrived();
        var req = new GatewayRequest(routed);
        requests.add(req);
        if (settings.timeoutNanos() > 0) events.add(trace.arrivalNanos() + settings.timeoutNanos(), new Deadline(req));
        send(req, 0, null);
    }

    /** Handles the next due event (its time is {@code at}). */
    void fire(long at) {
        now = at;
        switch (events.poll()) {
            case ToRouter(var a) -> atRouter(a);
            case ToReplica(var a, var e) -> deliver(a, e);
            case Retry(var req, int number) -> {
                if (!req.ended) send(req, number, null);
                else attempts.retryDropped();
            }
            case Hedge(var primary) -> {
                if (!primary.ended && !primary.request.ended && !primary.hedged) send(primary.request, primary.number, primary);
            }
            case Answers(var rows) -> stepRows.answer(rows, this::answered);
            case AttemptTimeout(var a) -> {
                if (!a.ended) attemptTimedOut(a);
            }
            case Deadline(var req) -> {
                if (!req.ended) end(req, Outcome.TIMED_OUT, req.failedRow("timed out: no answer within gateway.timeout_ms ("
                        + settings.timeoutNanos() / 1e6 + " ms)"), -1);
            }
        }
    }

    /** A replica's step begins at {@code at}, or ends at {@code at}: see {@link StepRows}. */
    void stepping(boolean on, long at) {
        if (on) {
            now = at; // what a replica refuses in its step is handled at the step's start
            stepRows.begin();
            return;
        }
        var answers = stepRows.end(this::answered);
        if (!answers.isEmpty()) events.add(at, new Answers(answers));
    }

    /** A row a replica wrote (an answer, or a request it refused). */
    void replicaRow(RequestRow row) {
        if (!stepRows.hold(row)) answered(row);
    }

    // --- sending --------------------------------------------------------------------------------------------------

    private void send(GatewayRequest req, int number, Attempt primary) {
        var a = attempts.send(req, number, primary, now);
        series.arrived();
        long delay = network.clientToRouterNanos();
        if (delay == 0) atRouter(a);
        else events.add(now + delay, new ToRouter(a));
    }

    private void atRouter(Attempt a) {
        var req = a.request;
        series.leftRouter();
        if (a.ended) return; // it timed out, or its request ended, on the way
        long arrivedNanos = now;
        if (keys.on() && reusedByKey(a)) return;
        req.routed.decidedAt(now);
        req.routed.attempt(a.number);
        exclude = a.partnerReplica();
        Dispatcher.Outcome outcome;
        try {
            outcome = dispatcher.dispatch(req.routed, now, eligible);
        } catch (EngineException e) {
            req.cluster = new RequestRow.ClusterFields(arrivedNanos, -1, 0, "");
            end(req, Outcome.FAILED, req.failedRow("run aborted: " + e.getMessage()), -1);
            throw e;
        }
        a.cluster = req.cluster = new RequestRow.ClusterFields(arrivedNanos, now, outcome.cpuNanos(),
                outcome.degradedReason());
        if (!outcome.rejection().isEmpty()) {
            rejectedAttempt(a, outcome.rejection());
        } else if (outcome.replica() < 0) {
            failed(a, AttemptEnd.Result.NO_REPLICA, -1);
        } else {
            route(a, outcome.replica());
        }
    }

    /** Idempotency keys: the router answers from the answer it holds, or the attempt waits for a running copy. */
    private boolean reusedByKey(Attempt a) {
        return switch (keys.match(a, now)) {
            case IdempotencyKeys.Held(var answer) -> {
                deliverAnswer(a, answer, true);
                yield true;
            }
            case IdempotencyKeys.Attached() -> true;
            case IdempotencyKeys.Miss() -> false;
        };
    }

    private void route(Attempt a, int target) {
        var e = copies.open(a, target);
        long delay = network.routerToReplicaNanos();
        if (delay == 0) deliver(a, e);
        else events.add(now + delay, new ToReplica(a, e));
    }

    private void deliver(Attempt a, Execution e) {
        if (e.ended) return; // withdrawn on the way
        if (!copies.submit(a.request, e, now)) { // it went down, or was cut off, while the copy was on its way
            failed(a, AttemptEnd.Result.UNREACHABLE, e.replica);
            return;
        }
        if (!hearsAnswers) handOver(a.request);
    }

    /** The replica records the request's row itself: the gateway lets go of it without a row of its own. */
    private void handOver(GatewayRequest req) {
        req.ended = true;
        live--;
        req.live.clear();
        req.executions.clear();
        requests.remove(req);
    }

    // --- answers --------------------------------------------------------------------------------------------------

    private void answered(RequestRow row) {
        var req = requests.find(row.requestId());
        var e = req == null ? null : req.executionOn(row.replica());
        if (e == null || !e.onReplica) return; // a copy the gateway already took back
        copies.ended(req, e, row);
        if (!row.isOk()) { // the replica refused it for good (it can never fit): retrying would not help
            end(req, Outcome.FAILED, row, -1);
            return;
        }
        if (faults.partitioned(e.replica)) { // the answer never leaves the replica
            req.wastedTokens += SequenceQueues.workDone(row);
            return;
        }
        keys.hold(req, row);
        var a = e.attempt;
        boolean lost = lost(req, a, e.replica);
        if (lost || a == null || a.ended) {
            keys.unused(req, row);
            return;
        }
        deliverAnswer(a, row, false);
    }

    /** Whether an answer is lost between router and client (a seeded draw per attempt and copy). */
    private boolean lost(GatewayRequest req, Attempt a, int replica) {
        int number = a == null ? req.attempts - 1 : a.number;
        return faults.answerLost(replica, Seeds.ofStream(Seeds.ofAttempt(settings.seed(), req.id(), number),
                a != null && a.isHedge() ? 2 : 1));
    }

    /** The answer reaches the client of attempt {@code a}, unless after the attempt's or the request's timeout. */
    private void deliverAnswer(Attempt a, RequestRow row, boolean fromRouter) {
        var req = a.request;
        long back = network.replicaToClientNanos();
        long atClient = row.completionNanos() + back;
        boolean late = settings.timeoutNanos() > 0 && atClient > req.routed.arrivalNanos() + settings.timeoutNanos()
                || settings.attemptTimeoutNanos() > 0 && atClient > a.sentNanos + settings.attemptTimeoutNanos();
        if (late) { // its timeout comes first and ends it; a held answer may still serve a retry
            keys.unused(req, row);
            return;
        }
        keys.used(req, row, fromRouter);
        latencies.add(atClient - a.sentNanos);
        attempts.end(a, AttemptEnd.Result.ANSWERED, a.replica, Math.max(atClient, a.sentNanos), now);
        req.cluster = a.cluster;
        end(req, Outcome.COMPLETED, row, back);
    }

    // --- failures and timeouts ------------------------------------------------------------------------------------

    private void attemptTimedOut(Attempt a) {
        var e = a.execution;
        if (e != null && !e.ended) {
            if (keys.keepsCopy(a, e)) e.attempt = null;
            else copies.withdraw(a.request, e);
        }
        failed(a, AttemptEnd.Result.TIMED_OUT, a.replica);
    }

    /** Ends a failed attempt; when no other attempt of its request lives, the retry policy decides what follows. */
    private void failed(Attempt a, AttemptEnd.Result result, int replica) {
        var req = a.request;
        var end = attempts.end(a, result, replica, now, now);
        req.lastFailure = "attempt " + a.number + (a.isHedge() ? " (hedge)" : "") + " "
                + result.name().toLowerCase(java.util.Locale.ROOT) + (replica >= 0 ? " on replica " + replica : "")
                + (result == AttemptEnd.Result.NO_REPLICA ? ": " + Dispatcher.NONE_AVAILABLE : "");
        if (req.ended || !req.live.isEmpty()) return;
        switch (policies.onFailure(end, this, now)) {
            case RetryPolicy.Retry(long delay) -> {
                attempts.retryDecided();
                events.add(now + delay, new Retry(req, a.number + 1));
            }
            case RetryPolicy.GiveUp(String reason) -> end(req, Outcome.FAILED, req.failedRow(req.lastFailure + "; " + reason), -1);
        }
    }

    private void rejectedAttempt(Attempt a, String rejection) {
        var req = a.request;
        attempts.end(a, AttemptEnd.Result.CANCELLED, -1, now, now);
        if (!req.live.isEmpty()) return; // a hedge turned away while its primary runs on
        rejected++;
        end(req, Outcome.REJECTED, req.failedRow(rejection), -1);
    }

    /** The crash hook: replica {@code replica} lost these copies; their attempts end with {@code result}. */
    void attemptsLost(int replica, List<Replica.Lost> lost, AttemptEnd.Result result, long at) {
        now = at;
        var orphans = new java.util.ArrayList<Attempt>(lost.size());
        for (var l : lost) { // every copy off the replica first: a policy fault below must not leave one "held"
            var req = requests.find(l.requestId());
            var e = req == null ? null : req.executionOn(replica);
            if (e == null || !e.onReplica) continue;
            e.onReplica = false; // the replica no longer holds it: nothing to withdraw
            copies.ended(req, e, null);
            req.wastedTokens += l.computedTokens();
            if (e.attempt != null && !e.attempt.ended) orphans.add(e.attempt);
        }
        for (var a : orphans) if (!a.ended) failed(a, result, replica);
    }

    // --- ending ---------------------------------------------------------------------------------------------------

    /** Ends {@code req} once: its other attempts are cancelled, every copy still out is taken back and counted. */
    private void end(GatewayRequest req, Outcome outcome, RequestRow row, long back) {
        if (req.ended) return;
        req.ended = true;
        live--;
        while (!req.live.isEmpty()) { // the losing hedge, or attempts still on their way
            var a = req.live.getLast();
            attempts.end(a, AttemptEnd.Result.CANCELLED, a.replica, now, now);
        }
        while (!req.executions.isEmpty()) copies.withdraw(req, req.executions.getLast());
        keys.ended(req);
        requests.remove(req);
        var fields = req.fields(outcome);
        if (back < 0) front.terminal(row, req.cluster, fields);
        else front.terminal(row, back, req.cluster, fields);
    }

    /** The run ended with requests whose answer never came (lost, with no timeout to notice): they failed. */
    void endOfRun(long at) {
        now = at;
        for (var req : requests.inArrivalOrder()) {
            end(req, Outcome.FAILED, req.failedRow("no answer reached the client by the end of the run ("
                    + (req.lastFailure.isEmpty() ? "the answer was lost" : req.lastFailure) + "; no timeout set)"), -1);
        }
    }

    /** The run stopped: requests no replica holds fail now (those a replica holds fail when it abandons them). */
    void abort(String reason, long at) {
        now = at;
        stepping(false, at);
        stepRows.answerRest(this::answered); // a batch a failure cut short
        for (var rows : events.takeAnswers()) rows.forEach(this::answered); // steps that ended in the run: answered
        for (var req : requests.inArrivalOrder()) {
            if (req.executions.stream().anyMatch(e -> e.onReplica)) continue;
            end(req, Outcome.FAILED, req.failedRow(reason), -1);
        }
    }

    /** A request that fails without ever arriving (the run stopped first). */
    void neverArrived(TraceRequest trace, String reason) {
        submitted++;
        series.requestArrived(); // its row reaches the front at once: in the system for no time
        front.terminal(GatewayRequest.failedRow(trace, reason), RequestRow.ClusterFields.NONE,
                new RequestRow.GatewayFields(Outcome.FAILED, 0, 0, 0));
    }

    // --- GatewayView and counts -----------------------------------------------------------------------------------

    @Override public long nowNanos() { return now; }
    @Override public int liveRequests() { return live; }
    @Override public int liveRetries() { return attempts.liveRetries(); }
    @Override public int liveHedges() { return attempts.liveHedges(); }
    @Override public int replicas() { return replicas.size(); }
    @Override public long recentLatencyNanos(double quantile) { return latencies.quantile(quantile); }

    void noteSwaps(long at) { policies.noteSwaps(at); } // after each step and at the end: GatewayPolicies
    long submitted() { return submitted; }
    long rejected() { return rejected; }
    long duplicatesAvoided() { return keys.duplicatesAvoided(); } // retries answered from a held answer, or attached

    /** When request {@code id}'s latest attempt reached the router, -1 when it has not (or the request ended). */
    long routerArrivalNanos(long id) {
        var req = requests.find(id);
        return req == null ? -1 : req.cluster.routerArrivalNanos();
    }
}

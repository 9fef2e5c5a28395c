package servelab.runtime.engine;

import java.util.List;

import servelab.api.route.ReplicaView;
import servelab.runtime.engine.GatewayRequest.Attempt;
import servelab.runtime.engine.GatewayRequest.Execution;
import servelab.runtime.record.RequestRow;

/**
 * The router's side of idempotency keys ({@code gateway.idempotency}): a retry of a request whose answer the router
 * already holds gets that answer, and a retry of a request whose copy still runs on an available replica waits for
 * that copy, instead of the request running again; each counts as a duplicate execution avoided. The store is each
 * live request's {@link GatewayRequest#heldAnswer} and its detached copy ({@link GatewayRequest#detached()}), not a
 * map of its own: it holds no more than the live requests and is dropped with each.
 *
 * <p>Keys also decide when an unused answer counts as wasted work: without them at once, with them only if the
 * request ends without using the answer the router holds.
 */
final class IdempotencyKeys {
    /** What the router does with an attempt that reaches it. */
    sealed interface Match permits Held, Attached, Miss {}

    /** The router answers from the answer it holds, {@code answer}'s times already seen from the router. */
    record Held(RequestRow answer) implements Match {}

    /** The attempt waits for a copy of its request already running on an available replica. */
    record Attached() implements Match {}

    /** Nothing to reuse: the attempt is routed. */
    record Miss() implements Match {}

    private final boolean on;
    private final List<ReplicaView> views;
    private final Copies copies;
    private long duplicatesAvoided;

    IdempotencyKeys(boolean on, List<ReplicaView> views, Copies copies) {
        this.on = on;
        this.views = views;
        this.copies = copies;
    }

    boolean on() {
        return on;
    }

    /**
     * Attempts that ran nothing again: retries and hedges answered from a held answer (one whose answer was lost on
     * the way back finds it at the router), and retries attached to a copy already running (a hedge is never
     * attached: it exists to race that copy).
     */
    long duplicatesAvoided() {
        return duplicatesAvoided;
    }

    /**
     * Looks {@code a}'s request up when {@code a} reaches the router at {@code now} (keys on). A detached copy on a
     * replica that is down or draining is withdrawn, so the attempt runs the request again elsewhere.
     */
    Match match(Attempt a, long now) {
        var req = a.request;
        if (req.heldAnswer != null || req.detached() != null) {
            a.cluster = req.cluster = new RequestRow.ClusterFields(now, now, 0, "");
        }
        if (req.heldAnswer != null) {
            duplicatesAvoided++;
            var held = req.heldAnswer;
            a.replica = -1;
            return new Held(held.deliveredWholeAt(Math.max(now, held.completionNanos()), held.cluster()));
        }
        var running = a.isHedge() ? null : req.detached();
        if (running == null) return new Miss();
        if (views.get(running.replica).isAvailable()) {
            duplicatesAvoided++;
            running.attempt = a;
            a.execution = running;
            a.replica = running.replica;
            return new Attached();
        }
        copies.withdraw(req, running);
        return new Miss();
    }

    /**
     * With keys the router keeps each answer that reaches it until its request ends: the latest one, since one answer
     * is enough; one it held before and no client used is wasted work now (a late answer, then a hedge's).
     */
    void hold(GatewayRequest req, RequestRow row) {
        if (!on) return;
        if (req.heldAnswer != null && req.heldAnswer != row) req.wastedTokens += SequenceQueues.workDone(req.heldAnswer);
        req.heldAnswer = row;
    }

    /** An answer no client got (lost, or after its timeout): without keys its work is wasted now. */
    void unused(GatewayRequest req, RequestRow row) {
        if (!on) req.wastedTokens += SequenceQueues.workDone(row);
    }

    /** An answer a client got: if it was the held one, it is no longer at risk of being wasted. */
    void used(GatewayRequest req, RequestRow row, boolean fromRouter) {
        if (row == req.heldAnswer || fromRouter) req.heldAnswer = null;
    }

    /** The request ended: a held answer no client used was wasted work. */
    void ended(GatewayRequest req) {
        if (req.heldAnswer != null) req.wastedTokens += SequenceQueues.workDone(req.heldAnswer);
    }

    /**
     * Whether the copy of an attempt that timed out runs on, detached, for a retry to attach to: only with keys, for
     * a first try or retry (a hedge's copy is not kept) still on a replica that is available.
     */
    boolean keepsCopy(Attempt a, Execution e) {
        return on && !a.isHedge() && e.onReplica && views.get(e.replica).isAvailable();
    }
}

package servelab.runtime.engine;

import java.util.ArrayList;

import servelab.datasets.TraceRequest;
import servelab.runtime.cluster.RoutedRequest;
import servelab.runtime.record.RequestRow;

/**
 * One trace request while the gateway holds it: its attempts in flight, the copies of it that replicas hold (or that
 * are on their way to one), and what it has cost so far. Mutable, engine-private; the gateway drops it when the
 * request ends.
 */
final class GatewayRequest {
    /** One try at the request, from the client's send until its answer, failure, timeout or cancellation. */
    static final class Attempt {
        final GatewayRequest request;
        final int number;
        /** The attempt this one is a hedged copy of, or null for a first try or retry. */
        final Attempt primary;
        final long sentNanos;
        /** The replica it was routed to (or attached to), -1 before routing or when none took it. */
        int replica = -1;
        /** What the router did with it (arrival, decision, degradation), for the request's row. */
        RequestRow.ClusterFields cluster = RequestRow.ClusterFields.NONE;
        Execution execution;
        boolean hedged;
        boolean ended;

        Attempt(GatewayRequest request, int number, Attempt primary, long sentNanos) {
            this.request = request;
            this.number = number;
            this.primary = primary;
            this.sentNanos = sentNanos;
        }

        boolean isHedge() {
            return primary != null;
        }

        /**
         * The replica of the other copy of its hedged pair, which it must not join: a hedge's primary's, or a primary's
         * hedge's (a hedge can reach the router first when the client's network delays vary); -1 when none is routed.
         */
        int partnerReplica() {
            if (primary != null) return primary.replica;
            for (var other : request.live) if (other.primary == this) return other.replica;
            return -1;
        }
    }

    /** One copy of the request sent to a replica; an attempt may attach to a copy an earlier attempt started. */
    static final class Execution {
        final int replica;
        /** Prompt and output tokens the router counts as outstanding on the replica while the copy lives. */
        final int sentTokens;
        /** The attempt waiting for its answer; null once that attempt gave up on it (the copy runs on, detached). */
        Attempt attempt;
        boolean onReplica;
        boolean ended;

        Execution(int replica, int sentTokens, Attempt attempt) {
            this.replica = replica;
            this.sentTokens = sentTokens;
            this.attempt = attempt;
        }
    }

    final RoutedRequest routed;
    final ArrayList<Attempt> live = new ArrayList<>(2);
    final ArrayList<Execution> executions = new ArrayList<>(2);
    int attempts;
    int hedges;
    long wastedTokens;
    /** The router's copy of the answer (idempotency keys), replica times; null while it holds none. */
    RequestRow heldAnswer;
    /** The router's fields of the last attempt it decided on (the row of a request that did not complete). */
    RequestRow.ClusterFields cluster = RequestRow.ClusterFields.NONE;
    /** How the last failed attempt ended, for the error of a request that gives up. */
    String lastFailure = "";
    boolean ended;
    /** Neighbours in the gateway's arrival-ordered list of live requests. */
    GatewayRequest prev, next;

    GatewayRequest(RoutedRequest routed) {
        this.routed = routed;
    }

    long id() {
        return routed.id();
    }

    /** The live copy on (or on its way to) {@code replica}, or null. */
    Execution executionOn(int replica) {
        for (var e : executions) if (e.replica == replica) return e;
        return null;
    }

    /** A copy no attempt waits for, on a replica (a retry can attach to it), or null. */
    Execution detached() {
        for (var e : executions) if (e.attempt == null && e.onReplica) return e;
        return null;
    }

    RequestRow.GatewayFields fields(RequestRow.Outcome outcome) {
        return new RequestRow.GatewayFields(outcome, attempts, hedges, wastedTokens);
    }

    /** The row of this request when it ends with no answer: {@code error} says why. */
    RequestRow failedRow(String error) {
        return failedRow(routed.request(), error);
    }

    /** The row of a request that ends with no answer, no replica and no token. */
    static RequestRow failedRow(TraceRequest request, String error) {
        return new RequestRow(request.id(), -1, request.tenant(), request.priority(), request.arrivalNanos(), -1, -1,
                -1, request.inputTokens(), 0, 0, 0, new long[0], 0, 0, 0, error);
    }
}

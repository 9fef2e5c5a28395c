package servelab.runtime.engine;

import java.util.PriorityQueue;

import servelab.runtime.engine.GatewayRequest.Attempt;
import servelab.runtime.engine.GatewayRequest.Execution;

/**
 * The gateway's events on the virtual clock: attempts crossing the network, retries, hedges and timeouts. Ordered by
 * time, then by the order they were scheduled, so a run replays exactly. An event whose attempt or request has ended
 * meanwhile stays queued and is skipped when it comes up (cheaper than removing it).
 */
final class GatewayEvents {
    sealed interface Event permits ToRouter, ToReplica, Retry, Hedge, AttemptTimeout, Deadline {}

    /** An attempt reaches the router (after the client-to-router delay). */
    record ToRouter(Attempt attempt) implements Event {}

    /** A routed copy reaches its replica (after the router-to-replica delay). */
    record ToReplica(Attempt attempt, Execution execution) implements Event {}

    /** The retry policy's delay has passed: the client sends attempt {@code number}. */
    record Retry(GatewayRequest request, int number) implements Event {}

    /** The hedge policy's delay after {@code primary} was sent has passed. */
    record Hedge(Attempt primary) implements Event {}

    /** {@code gateway.attempt_timeout_ms} after the attempt was sent. */
    record AttemptTimeout(Attempt attempt) implements Event {}

    /** {@code gateway.timeout_ms} after the request arrived. */
    record Deadline(GatewayRequest request) implements Event {}

    private record Timed(long atNanos, long order, Event event) {}

    private final PriorityQueue<Timed> queue = new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
            ? Long.compare(a.atNanos, b.atNanos) : Long.compare(a.order, b.order));
    private long order;

    void add(long atNanos, Event event) {
        queue.add(new Timed(atNanos, order++, event));
    }

    /** When the next event is due, {@link Long#MAX_VALUE} when none is queued. */
    long peekNanos() {
        var next = queue.peek();
        return next == null ? Long.MAX_VALUE : next.atNanos();
    }

    /** The next event, or null when none is queued. */
    Event poll() {
        var next = queue.poll();
        return next == null ? null : next.event();
    }
}

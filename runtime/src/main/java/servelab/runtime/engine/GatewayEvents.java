package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

import servelab.runtime.engine.GatewayRequest.Attempt;
import servelab.runtime.engine.GatewayRequest.Execution;
import servelab.runtime.record.RequestRow;

/**
 * The gateway's events on the virtual clock: attempts crossing the network, retries, hedges and timeouts. Ordered by
 * time, then by the order they were scheduled, so a run replays exactly. An event whose attempt or request has ended
 * meanwhile stays queued (cheaper than removing it) until it reaches the head, where it is dropped: the loop never
 * stops at its time, so timers left behind by answered requests (a deadline, a hedge) do not stretch the run, and
 * its time series, past the last answer.
 */
final class GatewayEvents {
    sealed interface Event permits ToRouter, ToReplica, Answers, Retry, Hedge, AttemptTimeout, Deadline {}

    /** An attempt reaches the router (after the client-to-router delay). */
    record ToRouter(Attempt attempt) implements Event {}

    /** A routed copy reaches its replica (after the router-to-replica delay). */
    record ToReplica(Attempt attempt, Execution execution) implements Event {}

    /** A replica's step ended: the answers it finished (its rows) reach the gateway. */
    record Answers(List<RequestRow> rows) implements Event {}

    /** The retry policy's delay has passed: the client sends attempt {@code number}. */
    record Retry(GatewayRequest request, int number) implements Event {}

    /** The hedge policy's delay after {@code primary} was sent has passed. */
    record Hedge(Attempt primary) implements Event {}

    /** {@code gateway.attempt_timeout_ms} after the attempt was sent. */
    record AttemptTimeout(Attempt attempt) implements Event {}

    /** {@code gateway.timeout_ms} after the request arrived. */
    record Deadline(GatewayRequest request) implements Event {}

    private record Timed(long atNanos, long order, Event event) {}

    /**
     * By time; at one instant a step's answers first (an answer reaching its client at its deadline is on time, as
     * {@code Gateway.deliverAnswer} judges it), then in the order scheduled.
     */
    private final PriorityQueue<Timed> queue = new PriorityQueue<>((a, b) -> a.atNanos != b.atNanos
            ? Long.compare(a.atNanos, b.atNanos)
            : a.event instanceof Answers != b.event instanceof Answers ? (a.event instanceof Answers ? -1 : 1)
            : Long.compare(a.order, b.order));
    private long order;

    void add(long atNanos, Event event) {
        queue.add(new Timed(atNanos, order++, event));
    }

    /** When the next event that can still change anything is due, {@link Long#MAX_VALUE} when none is queued. */
    long peekNanos() {
        dropSettled();
        var next = queue.peek();
        return next == null ? Long.MAX_VALUE : next.atNanos();
    }

    /** The next event that can still change anything, or null when none is queued. */
    Event poll() {
        dropSettled();
        var next = queue.poll();
        return next == null ? null : next.event();
    }

    /** Takes every queued {@link Answers} event out, in time order (a run that stops answers them at once). */
    List<List<RequestRow>> takeAnswers() {
        var taken = new ArrayList<Timed>();
        queue.removeIf(t -> t.event() instanceof Answers && taken.add(t));
        taken.sort(queue.comparator());
        return taken.stream().map(t -> ((Answers) t.event()).rows()).toList();
    }

    private void dropSettled() {
        while (!queue.isEmpty() && settled(queue.peek().event())) queue.poll();
    }

    /**
     * Whether {@code event} would do nothing when it fires, whatever happens from now on (the gateway's own tests
     * when it fires, which stay; an ended attempt or request never resumes). Attempts and copies on the network are
     * never settled: the time series counts every attempt that reaches the router, ended or not.
     */
    private static boolean settled(Event event) {
        return switch (event) {
            case ToRouter t -> false;
            case ToReplica t -> false;
            case Answers a -> false;
            case Retry(var request, int number) -> request.ended;
            case Hedge(var primary) -> primary.ended || primary.request.ended || primary.hedged;
            case AttemptTimeout(var attempt) -> attempt.ended;
            case Deadline(var request) -> request.ended;
        };
    }
}

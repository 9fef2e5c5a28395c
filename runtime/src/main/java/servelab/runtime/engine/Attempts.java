package servelab.runtime.engine;

import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.HedgePolicy;
import servelab.common.seed.Seeds;
import servelab.runtime.cluster.GatewaySettings;
import servelab.runtime.engine.GatewayEvents.AttemptTimeout;
import servelab.runtime.engine.GatewayEvents.Hedge;
import servelab.runtime.engine.GatewayRequest.Attempt;

/**
 * The gateway's attempts from send to end: sending one sets its per-attempt timeout and, for a first try or retry,
 * the hedge the hedge policy asks for; the retries and hedges still live are counted for the policies' {@link
 * GatewayView}; ending one tells the breaker an {@link AttemptEnd}, seeded per attempt so that a replay draws the
 * same. Apart from {@link Gateway}, which decides where an attempt goes and how its request ends, so that every
 * attempt's bookkeeping happens in one pair of methods.
 */
final class Attempts {
    private final GatewayEvents events;
    private final GatewayPolicies policies;
    private final GatewaySettings settings;
    private final GatewayView view;
    private int liveRetries, liveHedges;

    Attempts(GatewayEvents events, GatewayPolicies policies, GatewaySettings settings, GatewayView view) {
        this.events = events;
        this.policies = policies;
        this.settings = settings;
        this.view = view;
    }

    int liveRetries() {
        return liveRetries;
    }

    int liveHedges() {
        return liveHedges;
    }

    /**
     * The retry policy decided on a retry: it is live from now, through its backoff, until it ends, as Envoy's retry
     * budget counts it. Counted only once sent, a crash's burst of failures all saw no retry in flight, and a budget
     * of one let every one of them through.
     */
    void retryDecided() {
        liveRetries++;
    }

    /** A decided retry that is not sent: its request ended while it waited out its backoff. */
    void retryDropped() {
        liveRetries--;
    }

    /** Attempt {@code number} of {@code req} leaves its client at {@code now}; {@code primary} is the one it hedges. */
    Attempt send(GatewayRequest req, int number, Attempt primary, long now) {
        var a = new Attempt(req, number, primary, now);
        req.live.add(a);
        if (primary != null) {
            primary.hedged = true;
            req.hedges++;
            liveHedges++;
        } else {
            req.attempts = number + 1; // a retry was counted live when it was decided (retryDecided)
        }
        if (settings.attemptTimeoutNanos() > 0) events.add(now + settings.attemptTimeoutNanos(), new AttemptTimeout(a));
        if (primary == null) {
            req.routed.attempt(number);
            long delay = policies.hedgeAfterNanos(req.routed, view, now);
            if (delay != HedgePolicy.NEVER) events.add(now + delay, new Hedge(a));
        }
        return a;
    }

    /**
     * Ends {@code a} with {@code result} at {@code endedNanos}; the breaker hears of it when it reached a replica and
     * was not cancelled (a cancelled attempt says nothing about its replica).
     */
    AttemptEnd end(Attempt a, AttemptEnd.Result result, int replica, long endedNanos, long now) {
        var req = a.request;
        a.ended = true;
        req.live.remove(a);
        if (a.isHedge()) liveHedges--;
        else if (a.number > 0) liveRetries--;
        var end = new AttemptEnd(req.id(), a.number, a.isHedge(), replica, result, a.sentNanos, endedNanos,
                Seeds.ofAttempt(settings.seed(), req.id(), a.number));
        if (replica >= 0 && result != AttemptEnd.Result.CANCELLED) policies.onEnd(end, view, now);
        return end;
    }
}

package servelab.runtime.engine;

import servelab.api.PluginKind;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.HedgePolicy;
import servelab.api.resilience.RetryPolicy;
import servelab.api.route.RequestView;

/**
 * The gateway's three policy slots (retry, hedge, breaker), asked the way the {@link Dispatcher} asks admission and
 * routing: a slot swapped since its last use is recorded as a swap event, and a policy that throws or answers
 * nonsense is recorded as a fault and replaced by the slot's previous policy, which answers instead (with none to go
 * back to, the run stops with an {@link EngineException}).
 */
final class GatewayPolicies {
    /**
     * The longest retry or hedge delay a policy may ask for: a day of the run's clock. Longer is taken as a broken
     * policy (a fault, and the slot goes back), not obeyed: Long.MAX_VALUE wrapped the clock around, and 4e18 ns
     * had the time series write empty intervals for 127 virtual years.
     */
    static final long MAX_DELAY_NANOS = 86_400_000_000_000L;
    /**
     * The most attempts of one request a retry policy may ask for: beyond it the policy is in a loop (one that
     * retried at once while no replica was available sent attempt 14,284,501 of a request without the clock moving).
     */
    static final int MAX_ATTEMPTS = 1000;

    private final Dispatcher dispatcher;
    private final PolicySlot<RetryPolicy> retrySlot;
    private final PolicySlot<HedgePolicy> hedgeSlot;
    private final PolicySlot<Breaker> breakerSlot;
    private PolicySlot.Installed<RetryPolicy> retry;
    private PolicySlot.Installed<HedgePolicy> hedge;
    private PolicySlot.Installed<Breaker> breaker;

    GatewayPolicies(ClusterSlots slots, Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
        this.retrySlot = slots.slot(PluginKind.RETRY, RetryPolicy.class);
        this.hedgeSlot = slots.slot(PluginKind.HEDGE, HedgePolicy.class);
        this.breakerSlot = slots.slot(PluginKind.BREAKER, Breaker.class);
        this.retry = retrySlot.current();
        this.hedge = hedgeSlot.current();
        this.breaker = breakerSlot.current();
    }

    /**
     * Records every cluster slot swapped since its last use now: a retry policy is asked only when an attempt fails,
     * a router only when a request arrives, so a swap could go unrecorded to the end of the run.
     */
    void noteSwaps(long now) {
        dispatcher.noteSwaps(now);
        retry = dispatcher.noteSwap(retrySlot, retry, now);
        hedge = dispatcher.noteSwap(hedgeSlot, hedge, now);
        breaker = dispatcher.noteSwap(breakerSlot, breaker, now);
    }

    RetryPolicy.Decision onFailure(AttemptEnd failed, GatewayView gateway, long now) {
        while (true) {
            retry = dispatcher.noteSwap(retrySlot, retry, now);
            String fault;
            try {
                var decision = retry.policy().onFailure(failed, gateway);
                if (decision instanceof RetryPolicy.Retry(long delay) && delay > MAX_DELAY_NANOS) {
                    fault = "onFailure asked to retry request " + failed.requestId() + " after " + delay / 1e9
                            + " s, more than a day";
                } else if (decision instanceof RetryPolicy.Retry && failed.attempt() + 1 >= MAX_ATTEMPTS) {
                    fault = "onFailure asked for attempt " + (failed.attempt() + 1) + " of request " + failed.requestId()
                            + ", more than " + MAX_ATTEMPTS + ": a retry loop";
                } else if (decision != null) {
                    return decision;
                } else {
                    fault = "onFailure returned null for request " + failed.requestId();
                }
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                fault = "retry decision for request " + failed.requestId() + " threw " + e;
            }
            dispatcher.fallBack(retrySlot, retry, now, fault);
        }
    }

    /** Nanoseconds after the send to hedge at, or {@link HedgePolicy#NEVER}. */
    long hedgeAfterNanos(RequestView request, GatewayView gateway, long now) {
        while (true) {
            hedge = dispatcher.noteSwap(hedgeSlot, hedge, now);
            String fault;
            try {
                long delay = hedge.policy().hedgeAfterNanos(request, gateway);
                if (delay >= HedgePolicy.NEVER && delay <= MAX_DELAY_NANOS) return delay;
                fault = "hedgeAfterNanos returned " + delay + " for request " + request.id() + " (0 to a day, or NEVER)";
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                fault = "hedge decision for request " + request.id() + " threw " + e;
            }
            dispatcher.fallBack(hedgeSlot, hedge, now, fault);
        }
    }

    boolean allows(int replica, GatewayView gateway, long now) {
        while (true) {
            breaker = dispatcher.noteSwap(breakerSlot, breaker, now);
            try {
                return breaker.policy().allows(replica, gateway);
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                dispatcher.fallBack(breakerSlot, breaker, now, "allows(" + replica + ") threw " + e);
            }
        }
    }

    void onEnd(AttemptEnd end, GatewayView gateway, long now) {
        while (true) {
            breaker = dispatcher.noteSwap(breakerSlot, breaker, now);
            try {
                breaker.policy().onEnd(end, gateway);
                return;
            } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError e) {
                dispatcher.fallBack(breakerSlot, breaker, now, "onEnd of request " + end.requestId() + " threw " + e);
            }
        }
    }
}

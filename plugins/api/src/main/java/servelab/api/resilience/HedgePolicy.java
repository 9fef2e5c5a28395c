package servelab.api.resilience;

import org.osgi.annotation.versioning.ConsumerType;

import servelab.api.route.RequestView;

/**
 * Decides when a request gets a hedged copy: asked each time the gateway sends a (non-hedge) attempt. If that
 * attempt has not answered after the returned delay, a copy goes to another replica; the first to answer wins and
 * the other is cancelled at once, its KV freed. A request has at most one hedge per attempt.
 */
@ConsumerType
@FunctionalInterface
public interface HedgePolicy {
    /** Returned for no hedge. */
    long NEVER = -1;

    /**
     * @return nanoseconds after the send at which to hedge, at most a day of the run's clock (longer, or below
     *         {@link #NEVER}, is a fault of the policy), or {@link #NEVER}
     */
    long hedgeAfterNanos(RequestView request, GatewayView gateway);
}

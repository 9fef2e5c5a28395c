package servelab.api.resilience;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Decides whether a failed attempt is retried. Asked once per failed attempt (a failed hedge is not retried while
 * its primary lives). A retry goes through admission and routing again, as a new attempt of the same request.
 */
@ConsumerType
@FunctionalInterface
public interface RetryPolicy {
    /** The one {@link GiveUp} for policies that never retry. */
    GiveUp NEVER = new GiveUp("retries are off");

    Decision onFailure(AttemptEnd failed, GatewayView gateway);

    /** The closed set of answers. */
    sealed interface Decision permits Retry, GiveUp {}

    /**
     * Send attempt {@code failed.attempt() + 1} after {@code delayNanos} (0: at once). The engine takes at most a
     * day of the run's clock and attempt 999 of a request; a longer delay or a thousandth attempt is a fault of the
     * policy (recorded, and the slot goes back).
     */
    record Retry(long delayNanos) implements Decision {
        public Retry {
            if (delayNanos < 0) throw new IllegalArgumentException("Retry.delayNanos must be >= 0, was " + delayNanos);
        }
    }

    /** The request ends as failed with this reason. */
    record GiveUp(String reason) implements Decision {
        public GiveUp {
            if (reason == null || reason.isBlank()) throw new IllegalArgumentException("GiveUp.reason must be given");
        }
    }
}

package servelab.api.resilience;

import java.util.Objects;

/**
 * How one attempt at a request ended, as the gateway saw it.
 *
 * @param requestId  the trace request's id (every attempt and hedge of a request shares it)
 * @param attempt    0 for the first try, counting up with each retry; a hedge has its primary's number
 * @param hedge      whether this was a hedged copy
 * @param replica    the replica it was sent to, -1 if none was chosen ({@link Result#NO_REPLICA})
 * @param result     what happened
 * @param sentNanos  when the gateway sent it, on the run's clock
 * @param endedNanos when the gateway learnt how it ended (answer, error or timeout)
 * @param seed       a value fixed by the run's seed, the request and the attempt, for seeded jitter
 */
public record AttemptEnd(long requestId, int attempt, boolean hedge, int replica, Result result, long sentNanos,
                         long endedNanos, long seed) {
    public AttemptEnd {
        Objects.requireNonNull(result, "result");
        if (attempt < 0) throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
        if (endedNanos < sentNanos) {
            throw new IllegalArgumentException("attempt ended at " + endedNanos + " ns, before it was sent at "
                    + sentNanos + " ns");
        }
    }

    /** The closed set of ends. */
    public enum Result {
        /** The replica answered (the last token reached the client). */
        ANSWERED,
        /** The replica crashed while it held the attempt. */
        CRASHED,
        /** The replica could not be reached (a network partition). */
        UNREACHABLE,
        /** No replica could take it: none available, or every candidate's breaker open. */
        NO_REPLICA,
        /** No answer within the attempt timeout (a lost response, a straggler, a partition after routing). */
        TIMED_OUT,
        /** Cancelled by the gateway: the other copy of a hedged pair answered first, or the request's deadline passed. */
        CANCELLED;

        /** Whether this end counts against the replica (breakers) and may be retried. */
        public boolean isFailure() {
            return this != ANSWERED && this != CANCELLED;
        }
    }

    /** Time from send to end, nanoseconds. */
    public long latencyNanos() {
        return endedNanos - sentNanos;
    }
}

package servelab.testkit;

import java.util.SplittableRandom;

import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.AttemptEnd.Result;

/** Attempt ends for resilience policy tests: given ones, and seeded random ones. */
public final class AttemptEnds {
    private AttemptEnds() {}

    /** The failures a retry policy may be asked about (every result but ANSWERED and CANCELLED). */
    public static final Result[] FAILURES = {Result.CRASHED, Result.UNREACHABLE, Result.NO_REPLICA, Result.TIMED_OUT};

    /** Attempt {@code attempt} of request {@code requestId} to {@code replica}, sent at {@code sentMs}, ending after {@code latencyMs}. */
    public static AttemptEnd of(long requestId, int attempt, int replica, Result result, long sentMs, long latencyMs,
                                long seed) {
        int to = result == Result.NO_REPLICA ? -1 : replica;
        return new AttemptEnd(requestId, attempt, false, to, result, sentMs * 1_000_000L,
                (sentMs + latencyMs) * 1_000_000L, seed);
    }

    /** An answer from {@code replica} after {@code latencyMs}, ending at {@code endMs}. */
    public static AttemptEnd answer(int replica, long endMs, long latencyMs) {
        return of(0, 0, replica, Result.ANSWERED, endMs - latencyMs, latencyMs, 0);
    }

    /** A failure ({@code result}) of an attempt to {@code replica}, ending at {@code endMs}. */
    public static AttemptEnd failure(int replica, Result result, long endMs, long latencyMs) {
        return of(0, 0, replica, result, endMs - latencyMs, latencyMs, 0);
    }

    /** A random failed attempt ending at {@code endNanos}, attempt numbers 0 to 40, to one of {@code replicas}. */
    public static AttemptEnd randomFailure(SplittableRandom random, long endNanos, int replicas) {
        var result = FAILURES[random.nextInt(FAILURES.length)];
        return random(random, result, endNanos, replicas);
    }

    /** A random end that a breaker hears of (a replica was chosen, not cancelled), at {@code endNanos}. */
    public static AttemptEnd randomToReplica(SplittableRandom random, long endNanos, int replicas) {
        Result[] seen = {Result.ANSWERED, Result.ANSWERED, Result.CRASHED, Result.UNREACHABLE, Result.TIMED_OUT};
        return random(random, seen[random.nextInt(seen.length)], endNanos, replicas);
    }

    private static AttemptEnd random(SplittableRandom random, Result result, long endNanos, int replicas) {
        int attempt = random.nextInt(4) == 0 ? random.nextInt(41) : random.nextInt(3);
        long latency = Math.min(endNanos, random.nextLong(120_000_000_000L));
        int replica = result == Result.NO_REPLICA ? -1 : random.nextInt(replicas);
        return new AttemptEnd(random.nextLong(1_000_000), attempt, random.nextInt(8) == 0, replica, result,
                endNanos - latency, endNanos, random.nextLong());
    }
}

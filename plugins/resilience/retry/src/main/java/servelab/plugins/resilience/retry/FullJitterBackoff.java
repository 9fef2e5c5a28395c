package servelab.plugins.resilience.retry;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.AttemptEnd.Result;
import servelab.api.resilience.RetryPolicy;

/**
 * Exponential backoff with "full jitter" (Marc Brooker, AWS Architecture Blog, "Exponential Backoff And Jitter",
 * 2015): the retry after attempt {@code n} (0 for the first try) waits a uniform draw from
 * {@code [0, min(cap, base * 2^n))}. Full jitter spreads the retries of requests that failed together (a crash
 * fails every request its replica held at once), so they do not come back as one burst.
 *
 * <p>The draw comes from {@link AttemptEnd#seed()} alone, so the same run seed gives the same delays whatever order
 * the gateway asks in. (Resilience4j's Retry is not used: it sleeps on the wall clock and its jitter cannot be
 * seeded.)
 *
 * @param maxAttempts attempts in all, the first included
 * @param retryOn     the failures that are retried; others give up at once
 */
public record FullJitterBackoff(int maxAttempts, long baseNanos, long capNanos, Set<Result> retryOn) {
    static final String ALL_FAILURES = "crashed,unreachable,no_replica,timed_out";

    /** The parameters both retry plugins share. */
    static final List<ParamSpec> PARAMS = List.of(
            ParamSpec.ofInt("max_attempts", 3, 1, 1000, "attempts in all, the first included (1: never retry)"),
            ParamSpec.ofDouble("base_ms", 100, 0, 3_600_000, "backoff base: the first retry waits up to this, milliseconds"),
            ParamSpec.ofDouble("cap_ms", 10_000, 0, 86_400_000, "longest backoff ceiling, milliseconds"),
            ParamSpec.ofChoice("retry_on", ALL_FAILURES, List.of(),
                    "comma-separated failures to retry, of crashed, unreachable, no_replica, timed_out"));

    public FullJitterBackoff {
        retryOn = Set.copyOf(retryOn);
        if (maxAttempts < 1) throw new IllegalArgumentException("max_attempts must be >= 1, was " + maxAttempts);
        if (baseNanos < 0 || capNanos < 0) {
            throw new IllegalArgumentException("base_ms and cap_ms must be >= 0, were " + baseNanos + " and " + capNanos + " ns");
        }
    }

    /** From validated parameters; a {@code retry_on} entry that names no failure is an error naming the key. */
    static FullJitterBackoff of(Params params) {
        return new FullJitterBackoff(params.getInt("max_attempts"), Math.round(params.getDouble("base_ms") * 1e6),
                Math.round(params.getDouble("cap_ms") * 1e6), results(params.getString("retry_on")));
    }

    static Set<Result> results(String list) {
        var failures = Arrays.stream(Result.values()).filter(Result::isFailure).toList();
        var chosen = EnumSet.noneOf(Result.class);
        for (String raw : list.split(",")) {
            String name = raw.strip();
            if (name.isEmpty()) continue;
            var match = failures.stream().filter(r -> r.name().toLowerCase(Locale.ROOT).equals(name)).findFirst();
            if (match.isEmpty()) {
                throw new IllegalArgumentException("parameter 'retry_on' names '" + name + "', which is not a failure;"
                        + " accepted: " + failures.stream().map(r -> r.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
            }
            chosen.add(match.get());
        }
        if (chosen.isEmpty()) { // an empty list made the plugin a 'none' that still said "retry"
            throw new IllegalArgumentException("parameter 'retry_on' names no failure; accepted: "
                    + failures.stream().map(r -> r.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", "))
                    + " (for no retries, use the retry plugin 'none')");
        }
        return chosen;
    }

    /**
     * Whether {@code failed} may be retried as far as its result and attempt count go: empty for yes, else the
     * reason to give up.
     */
    Optional<RetryPolicy.GiveUp> refusal(AttemptEnd failed) {
        if (!retryOn.contains(failed.result())) {
            return Optional.of(new RetryPolicy.GiveUp(name(failed.result()) + " is not retried (retry_on: "
                    + String.join(",", retryOn.stream().map(FullJitterBackoff::name).sorted().toList()) + ")"));
        }
        if (failed.attempt() + 1 >= maxAttempts) {
            return Optional.of(new RetryPolicy.GiveUp(
                    (failed.attempt() + 1) + " attempts failed (max_attempts " + maxAttempts + ")"));
        }
        return Optional.empty();
    }

    /** The retry after {@code failed}: a full-jitter delay drawn from its seed. */
    RetryPolicy.Retry retry(AttemptEnd failed) {
        return new RetryPolicy.Retry(delayNanos(failed.attempt(), failed.seed()));
    }

    /** A uniform draw from [0, min(cap, base * 2^attempt)), from {@code seed} alone. */
    long delayNanos(int attempt, long seed) {
        long ceiling = ceilingNanos(attempt);
        return (long) (new SplittableRandom(seed).nextDouble() * ceiling);
    }

    /** min(cap, base * 2^attempt), without overflow for any attempt number. */
    long ceilingNanos(int attempt) {
        return (long) Math.min((double) capNanos, Math.scalb((double) baseNanos, Math.min(attempt, 1000)));
    }

    private static String name(Result result) {
        return result.name().toLowerCase(Locale.ROOT);
    }
}

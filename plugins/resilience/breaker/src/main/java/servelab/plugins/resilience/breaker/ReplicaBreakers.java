package servelab.plugins.resilience.breaker;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;

/** The breakers of one run, one per replica index, made on first use; all read one {@link RunClock}. */
final class ReplicaBreakers implements Breaker {
    /** What Resilience4j records as a failed call's cause: one per result, without a stack trace. */
    private static final Map<AttemptEnd.Result, AttemptFailed> FAILURES = new EnumMap<>(AttemptEnd.Result.class);

    static {
        for (var result : AttemptEnd.Result.values()) FAILURES.put(result, new AttemptFailed(result));
    }

    private final CircuitBreakerConfig config;
    private final RunClock clock;
    private final List<CircuitBreaker> byReplica = new ArrayList<>();

    ReplicaBreakers(CircuitBreakerConfig config, RunClock clock) {
        this.config = config;
        this.clock = clock;
    }

    @Override
    public boolean allows(int replica, GatewayView gateway) {
        clock.advanceTo(gateway.nowNanos());
        var breaker = of(replica);
        // asking moves an open breaker whose wait has passed to half-open; the permission goes back at once
        // because the gateway asks about candidates, not about the replica it sends to
        if (!breaker.tryAcquirePermission()) return false;
        breaker.releasePermission();
        return true;
    }

    @Override
    public void onEnd(AttemptEnd end, GatewayView gateway) {
        clock.advanceTo(gateway.nowNanos());
        if (end.replica() < 0 || end.result() == AttemptEnd.Result.CANCELLED) return;
        var breaker = of(end.replica());
        if (end.result().isFailure()) {
            breaker.onError(end.latencyNanos(), TimeUnit.NANOSECONDS, FAILURES.get(end.result()));
        } else {
            breaker.onSuccess(end.latencyNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Replica {@code replica}'s breaker state, for tests and reports. */
    CircuitBreaker.State state(int replica) {
        return of(replica).getState();
    }

    private CircuitBreaker of(int replica) {
        while (byReplica.size() <= replica) {
            byReplica.add(CircuitBreaker.of("replica-" + byReplica.size(), config));
        }
        return byReplica.get(replica);
    }

    /** An attempt's failure as Resilience4j records it. */
    static final class AttemptFailed extends RuntimeException {
        AttemptFailed(AttemptEnd.Result result) {
            super("attempt " + result, null, false, false);
        }
    }
}

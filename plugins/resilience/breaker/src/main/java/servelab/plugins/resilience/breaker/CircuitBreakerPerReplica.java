package servelab.plugins.resilience.breaker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Component;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.resilience.Breaker;

/**
 * One Resilience4j {@code CircuitBreaker} per replica (closed, open, half-open), on the run's clock: Resilience4j's
 * state machine and its default count-based sliding window (the last {@code sliding_window_size} calls, evaluated
 * once {@code minimum_calls} are recorded) decide; this plugin feeds it each attempt's end and asks it before each
 * attempt. A replica whose failure rate reaches {@code failure_rate_threshold} percent opens: the router does not
 * see it for {@code wait_open_ms} of the run's clock; then it half-opens, lets attempts through until
 * {@code permitted_half_open} have ended, and closes if their failure rate is under the threshold, else opens
 * again. With {@code slow_call_ms} set, answers slower than that count as slow calls, and a slow-call rate of
 * {@code slow_call_rate_threshold} percent opens the breaker too (Resilience4j's slow-call detection).
 *
 * <p>Where ours differs from Resilience4j in a service: there, a caller acquires a permission before a call and
 * the half-open state limits calls in flight. The gateway asks the breaker about every candidate replica but does
 * not say which one the router chose, so {@link ReplicaBreakers#allows} asks for a permission and hands it back at
 * once: half-open then limits the calls it evaluates, not the calls in flight.
 *
 * <p>Cost: O(1) per question and per end (Resilience4j's ring buffer); one breaker per replica, made on first use.
 */
@Component(service = PluginFactory.class)
public final class CircuitBreakerPerReplica implements PluginFactory<Breaker> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.BREAKER, "circuit-breaker",
            "1.0.0", "A Resilience4j circuit breaker per replica on the run's clock: closed, open, half-open.",
            List.of(ParamSpec.ofDouble("failure_rate_threshold", 50, 1, 100,
                            "failure rate, percent of the window's calls, that opens a replica's breaker"),
                    ParamSpec.ofDouble("wait_open_ms", 60_000, 1, 86_400_000,
                            "how long an open breaker keeps its replica out before half-opening, milliseconds"),
                    ParamSpec.ofInt("permitted_half_open", 10, 1, 1_000_000,
                            "calls a half-open breaker evaluates before it closes or opens again"),
                    ParamSpec.ofInt("sliding_window_size", 100, 1, 1_000_000,
                            "calls in the count-based sliding window (Resilience4j's default window)"),
                    ParamSpec.ofInt("minimum_calls", 100, 1, 1_000_000,
                            "calls recorded before the failure rate is evaluated at all; at most sliding_window_size"),
                    ParamSpec.ofDouble("slow_call_ms", 0, 0, 86_400_000,
                            "answers slower than this count as slow calls, milliseconds; 0: no slow-call detection"),
                    ParamSpec.ofDouble("slow_call_rate_threshold", 50, 1, 100,
                            "slow-call rate, percent, that opens the breaker (with slow_call_ms set)")));

    /** Slow-call detection off: a threshold no answer reaches, and a rate that only all-slow windows reach. */
    private static final Duration NEVER_SLOW = Duration.ofDays(365 * 100);

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Breaker create(Params params) {
        var clock = new RunClock();
        return new ReplicaBreakers(config(params, clock), clock);
    }

    static CircuitBreakerConfig config(Params params, RunClock clock) {
        int window = params.getInt("sliding_window_size"), minimum = params.getInt("minimum_calls");
        if (minimum > window) { // Resilience4j lowers it to the window without a word: the run.json would say otherwise
            throw new IllegalArgumentException("parameter 'minimum_calls' (" + minimum + ") must be at most "
                    + "'sliding_window_size' (" + window + "): the count-based window never holds more calls");
        }
        double slowMs = params.getDouble("slow_call_ms");
        return CircuitBreakerConfig.custom()
                .failureRateThreshold((float) params.getDouble("failure_rate_threshold"))
                .waitDurationInOpenState(Duration.ofNanos(Math.round(params.getDouble("wait_open_ms") * 1e6)))
                .permittedNumberOfCallsInHalfOpenState(params.getInt("permitted_half_open"))
                .slidingWindowSize(params.getInt("sliding_window_size"))
                .minimumNumberOfCalls(params.getInt("minimum_calls"))
                .slowCallDurationThreshold(slowMs > 0 ? Duration.ofNanos(Math.round(slowMs * 1e6)) : NEVER_SLOW)
                .slowCallRateThreshold(slowMs > 0 ? (float) params.getDouble("slow_call_rate_threshold") : 100f)
                .clock(clock)
                .currentTimestampFunction(c -> clock.nanos(), TimeUnit.NANOSECONDS)
                .build();
    }
}

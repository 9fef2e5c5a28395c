package servelab.plugins.resilience.breaker;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The run's clock as a {@link java.time.Clock}, for Resilience4j: it reads the latest {@code nowNanos} the gateway
 * passed to the breaker, so a breaker's open-state wait passes in virtual time in a simulation (and in wall time
 * on a real executor, whose gateway passes the wall clock). Never goes backwards. The instant is nanoseconds since
 * the run's time 0, shown as an offset from the epoch (Resilience4j only compares and adds instants).
 */
final class RunClock extends Clock {
    private volatile long nanos;

    /** Moves the clock to {@code nowNanos}, if that is later than it reads. */
    void advanceTo(long nowNanos) {
        if (nowNanos > nanos) nanos = nowNanos;
    }

    long nanos() {
        return nanos;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(0, nanos);
    }

    @Override
    public long millis() {
        return Math.floorDiv(nanos, 1_000_000L);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    /** The same clock: the run's time has no zone, and Resilience4j never asks for one. */
    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}

package servelab.runtime.experiment;

/**
 * The experiment's {@code autoscaling:} block: the fleet the autoscaler ({@code plugins.autoscaler}) scales. The
 * cluster lists {@code replicas} replicas; the first {@code initial} serve from the start, the others are off
 * until the autoscaler starts them (each serves after its cold start: the profile's model load plus
 * {@code warmup_ms}).
 *
 * <pre>
 * replicas: 8
 * autoscaling: {min: 2, max: 8, initial: 2, interval_ms: 10000, warmup_ms: 30000}
 * plugins:
 *   autoscaler: {name: target-queue, params: {target_waiting_per_replica: 4}}
 * </pre>
 *
 * @param min        fewest replicas serving or starting (default 1)
 * @param max        most (default {@code replicas})
 * @param initial    replicas serving at time 0 (default {@code max})
 * @param intervalMs how often the autoscaler is asked, ms (default 10000)
 * @param warmupMs   added to a started replica's model load, ms (default 0)
 */
public record AutoscalingSpec(Integer min, Integer max, Integer initial, Double intervalMs, Double warmupMs) {
    static final double DEFAULT_INTERVAL_MS = 10_000;
    /** The longest time a key in ms may give: 1e12 ms (about 31 years); sums of a few stay within a long of ns. */
    static final double MAX_MS = 1e12;

    public AutoscalingSpec {
        // at least 1 ms between asks (a 1 ns interval spun), at most about 31 years, so that times stay in a long
        if (intervalMs != null && (!(intervalMs >= 1) || intervalMs > MAX_MS)) {
            throw new IllegalArgumentException("autoscaling.interval_ms must be in [1, 1e12] ms, was " + intervalMs);
        }
        if (warmupMs != null && (!(warmupMs >= 0) || warmupMs > MAX_MS)) {
            throw new IllegalArgumentException("autoscaling.warmup_ms must be in [0, 1e12] ms, was " + warmupMs);
        }
    }

    /** Defaults filled in for a cluster of {@code replicas}, and checked: 1 <= min <= initial <= max <= replicas. */
    AutoscalingSpec resolved(int replicas) {
        int mx = max == null ? replicas : max;
        int mn = min == null ? 1 : min;
        int in = initial == null ? mx : initial;
        if (mn < 1) throw new IllegalArgumentException("autoscaling.min must be >= 1, was " + mn);
        if (mx > replicas) {
            throw new IllegalArgumentException("autoscaling.max " + mx + " is more than replicas (" + replicas
                    + "); list every replica the fleet may grow to under replicas");
        }
        if (mx < mn) throw new IllegalArgumentException("autoscaling.max " + mx + " is less than min " + mn);
        if (in < mn || in > mx) {
            throw new IllegalArgumentException("autoscaling.initial must be in [min, max] = [" + mn + ", " + mx
                    + "], was " + in);
        }
        return new AutoscalingSpec(mn, mx, in, intervalMs == null ? DEFAULT_INTERVAL_MS : intervalMs,
                warmupMs == null ? 0.0 : warmupMs);
    }

    /** The simulation's settings (call on a {@link #resolved} spec). */
    public servelab.runtime.engine.Simulation.Scaling scaling() {
        return new servelab.runtime.engine.Simulation.Scaling(min, max, initial, Math.round(intervalMs * 1e6),
                Math.round(warmupMs * 1e6));
    }
}

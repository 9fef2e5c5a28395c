package servelab.runtime.experiment;

/**
 * The {@code record:} section: what a run records beyond its deterministic rows, and how densely.
 *
 * @param schedulerCpu      measure each scheduler call's CPU time (wall clock) into {@code iterations.arrow}; off
 *                          by default because a measured time makes the rows differ from run to run
 * @param clusterIntervalMs interval of the cluster time series (cluster.arrow), ms (default 100)
 * @param routerCpu         measure each admission and routing call's wall time into {@code router_cpu_ns}
 *                          (off by default, for the same reason)
 * @param iterationEvery    record every k-th step of each replica in iterations.arrow (absent: 1, all); thins the
 *                          table for long runs; 0 records none (the table is written empty). cluster.arrow's time
 *                          series, binned every {@code clusterIntervalMs}, still counts every step
 */
public record RecordSpec(boolean schedulerCpu, Double clusterIntervalMs, boolean routerCpu, Integer iterationEvery) {
    public RecordSpec {
        iterationEvery = iterationEvery == null ? 1 : iterationEvery; // absent means all; a written 0 means none
        if (iterationEvery < 0) {
            throw new IllegalArgumentException("record.iteration_every must be >= 0 (0: no iteration rows), was "
                    + iterationEvery);
        }
        clusterIntervalMs = clusterIntervalMs == null ? 100.0 : clusterIntervalMs; // a written 0 is refused (it became 100)
        if (!(clusterIntervalMs >= 1) || clusterIntervalMs > AutoscalingSpec.MAX_MS) { // a row per replica per bin
            throw new IllegalArgumentException("record.cluster_interval_ms must be in [1, 1e12] ms, was "
                    + clusterIntervalMs);
        }
    }
}

package servelab.runtime.record;

/**
 * The derived columns of one request, computed once when the row is written. Definitions follow vLLM's
 * {@code benchmarks/serve.py} ({@code calculate_metrics}); NaN and null mean "not defined" and are written as null.
 *
 * @param ttftMs               first token - arrival
 * @param tpotMs               (e2el - ttft) / (output - 1); NaN when output &lt;= 1
 * @param e2elMs               completion - arrival
 * @param itlMs                gaps between consecutive output tokens; null when token times are unknown
 * @param e2elPerOutputTokenMs e2el / output (Vidur's {@code request_e2e_time_normalized}); NaN when output = 0
 * @param sloMet               whether every given SLO is met; null when no SLO is given
 */
record RequestMetrics(double ttftMs, double tpotMs, double e2elMs, double[] itlMs, double e2elPerOutputTokenMs,
                      Boolean sloMet) {

    private static final double NANOS_PER_MS = 1_000_000.0;

    /** Metrics of a row; all undefined for a failed request, which vLLM also leaves out of every latency figure. */
    static RequestMetrics of(RequestRow row, Slo slo) {
        if (!row.isOk()) {
            return new RequestMetrics(Double.NaN, Double.NaN, Double.NaN, null, Double.NaN, slo.isEmpty() ? null : false);
        }
        double ttft = row.firstTokenNanos() < 0 ? Double.NaN : (row.firstTokenNanos() - row.arrivalNanos()) / NANOS_PER_MS;
        double e2el = (row.completionNanos() - row.arrivalNanos()) / NANOS_PER_MS;
        int output = row.outputTokens();
        double tpot = output > 1 ? (e2el - ttft) / (output - 1) : Double.NaN;
        double perToken = output > 0 ? e2el / output : Double.NaN;
        return new RequestMetrics(ttft, tpot, e2el, gaps(row.tokenTimesNanos(), output), perToken,
                slo.isEmpty() ? null : slo.isMet(ttft, tpot, e2el));
    }

    /** The same metrics with ITLs a tool reported itself (vLLM's per-chunk {@code itls}). */
    RequestMetrics withItlMs(double[] reported) {
        return new RequestMetrics(ttftMs, tpotMs, e2elMs, reported, e2elPerOutputTokenMs, sloMet);
    }

    private static double[] gaps(long[] tokenTimes, int outputTokens) {
        if (tokenTimes.length != outputTokens || outputTokens == 0) return null;   // not recorded
        var gaps = new double[outputTokens - 1];
        for (int i = 1; i < outputTokens; i++) gaps[i - 1] = (tokenTimes[i] - tokenTimes[i - 1]) / NANOS_PER_MS;
        return gaps;
    }
}

package servelab.runtime.report;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

import servelab.runtime.record.ResultTable;
import servelab.runtime.record.Slo;

/**
 * One run's row in a comparison: its plugins, the vLLM-style {@link Summary}, and the counters a summary leaves
 * out. Computed from the run's files only. A figure the data cannot give is NaN or empty, and reports print
 * {@code n/a} for it: a prefix hit rate with no prefix lookups, an acceptance rate with no speculative drafts,
 * preemptions of an import whose source does not count them.
 *
 * @param label          the run's name in tables and legends
 * @param plugins        plugin per kind, see {@link RunInfo#plugins}
 * @param summary        throughput, goodput and latency figures under {@code slo}
 * @param slo            the objectives goodput is computed for
 * @param preemptions    preemptions summed over requests; empty when no request's count is known
 * @param prefixHitRate  prefix-cache hit tokens / looked-up tokens over every step (cluster.arrow); NaN when nothing was looked up
 * @param acceptanceRate accepted / proposed speculative draft tokens over all requests; NaN when none was proposed
 */
public record RunMetrics(String label, Map<String, String> plugins, Summary summary, Slo slo, OptionalLong preemptions,
                         double prefixHitRate, double acceptanceRate) {

    public RunMetrics {
        Objects.requireNonNull(label, "RunMetrics.label");
        plugins = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(plugins)); // keeps the order
        Objects.requireNonNull(summary, "RunMetrics.summary");
        Objects.requireNonNull(slo, "RunMetrics.slo");
        Objects.requireNonNull(preemptions, "RunMetrics.preemptions");
    }

    /** The metrics of a loaded run under {@code slo} ({@link RunInfo#slo} gives the run's own). */
    public static RunMetrics of(String label, RunResults run, Slo slo) {
        return of(label, run, slo, Window.ALL);
    }

    /** As {@link #of(String, RunResults, Slo)}, its summary over the requests that arrived in {@code window}. */
    public static RunMetrics of(String label, RunResults run, Slo slo, Window window) {
        var requests = run.requests();
        var plugins = RunInfo.plugins(run);
        double hitRate = prefixHitRate(run);
        double acceptance = ratio(sum(requests.doubles("spec_accepted_tokens")),
                sum(requests.doubles("spec_draft_tokens")));
        boolean anyKnown = false;
        for (boolean isNull : requests.nulls("preemptions")) anyKnown |= !isNull;
        var summary = Summary.compute(run, slo, window);
        return new RunMetrics(label, plugins, summary, slo,
                anyKnown ? OptionalLong.of(summary.preemptions()) : OptionalLong.empty(), hitRate, acceptance);
    }

    /**
     * Hit tokens / looked-up tokens over every step: from cluster.arrow, whose rows count every step of every
     * replica; iterations.arrow only where there is no cluster table, since record.iteration_every thins it (a run
     * recording one step in seven showed 9.4% for its 9.7%).
     */
    static double prefixHitRate(RunResults run) {
        var cluster = run.table(ResultTable.CLUSTER).filter(c -> c.rowCount() > 0);
        if (cluster.isPresent()) {
            var c = cluster.get();
            long[] replica = c.longs("replica"), hit = c.longs("prefix_hit_tokens"), query = c.longs("prefix_query_tokens");
            double hits = 0, queries = 0;
            for (int i = 0; i < c.rowCount(); i++) {
                if (replica[i] < 0) continue; // the front's row
                hits += hit[i];
                queries += query[i];
            }
            return RunInfo.prefixHitRatio(run.runInfo(), hits, queries);
        }
        return run.table(ResultTable.ITERATIONS).map(it -> RunInfo.prefixHitRatio(run.runInfo(),
                sum(it.doubles("prefix_hit_tokens")), sum(it.doubles("prefix_query_tokens")))).orElse(Double.NaN);
    }

    /** The sum of the known values (NaN is null and left out). */
    private static double sum(double[] values) {
        double total = 0;
        for (double v : values) if (!Double.isNaN(v)) total += v;
        return total;
    }

    private static double ratio(double part, double whole) {
        return whole > 0 ? part / whole : Double.NaN;
    }
}

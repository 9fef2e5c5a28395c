package servelab.runtime.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import servelab.runtime.record.ResultTable;

/**
 * Cluster figures of a run, from its files only: how evenly load spread over the replicas, how much of the
 * prompt work their prefix caches saved, and a Little's law check between two independent measurements, the
 * occupancy sampled in cluster.arrow and the request times in requests.arrow.
 *
 * @param replicas             replicas in cluster.arrow
 * @param loadImbalance        max / mean of completed requests per replica (1 = even)
 * @param tokenImbalance       max / mean of tokens computed per replica
 * @param prefixHitRatio       cluster-wide prefix-cache hits / lookups, in tokens; NaN when nothing was looked up, or
 *                             the run's prefix cache is {@code none} and nothing hit (no cache took part: n/a, not 0)
 * @param meanInSystem         L: time-averaged requests in the system (mean over ticks of the front's
 *                             requests_in_system; in files written before it, of the summed in_system)
 * @param arrivalRate          λ: requests per second over the span the ticks cover
 * @param meanTimeInSystemS    W: mean time from arrival until the client knew the outcome, seconds
 */
public record ClusterSummary(int replicas, double loadImbalance, double tokenImbalance, double prefixHitRatio,
                             double meanInSystem, double arrivalRate, double meanTimeInSystemS) {

    /** L / (λ W): 1 when the two measurements agree. */
    public double littleRatio() {
        return meanInSystem / (arrivalRate * meanTimeInSystemS);
    }

    /**
     * Empty for a run without cluster.arrow (imported, or written before clusters). The imbalances' means are over
     * the replicas that were on at some time, as run.json's {@code result.replica_seconds_by_replica} says (all of
     * them where it does not: a run written before it, or one recovered after a kill).
     */
    public static Optional<ClusterSummary> compute(RunResults results) {
        var table = results.table(ResultTable.CLUSTER);
        if (table.isEmpty()) return Optional.empty();
        List<Double> byReplica = null;
        if (results.runInfo().get("result") instanceof Map<?, ?> result
                && result.get("replica_seconds_by_replica") instanceof List<?> list) {
            byReplica = list.stream().map(v -> v instanceof Number n ? n.doubleValue() : Double.NaN).toList();
        }
        try {
            return compute(TableScan.of(table.get()), TableScan.of(results.requests()), byReplica, results.runInfo());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // loaded tables read no file
        }
    }

    /** As {@link #compute(RunResults)}, reading the run folder batch by batch (memory bounded however long the run). */
    public static Optional<ClusterSummary> compute(Path runDir) throws IOException {
        return compute(runDir, null);
    }

    /**
     * As {@link #compute(Path)}, the imbalances over the replicas with seconds on in {@code byReplica} (null: all):
     * an autoscaled fleet that never grew read as imbalanced by the replicas that were never started.
     */
    public static Optional<ClusterSummary> compute(Path runDir, List<Double> byReplica) throws IOException {
        var cluster = TableScan.of(runDir, ResultTable.CLUSTER, "time_ns", "replica", "in_system", "tokens",
                "prefix_query_tokens", "prefix_hit_tokens", "interval_ns", "requests_in_system");
        if (cluster.isEmpty()) return Optional.empty();
        var requests = TableScan.of(runDir, ResultTable.REQUESTS, "replica", "error", "arrival_ns", "completion_ns",
                "routed_ns", "ended_ns").orElseThrow(() -> new InvalidResultsException(runDir, "no " + ResultTable.REQUESTS.fileName()));
        return compute(cluster.get().batches(), requests.batches(), byReplica,
                RunResults.readRunJson(runDir.resolve("run.json")));
    }

    /** {@code runInfo}: run.json, which says whether a prefix cache took part ({@link RunInfo#prefixHitRatio}). */
    private static Optional<ClusterSummary> compute(TableScan.Batches cluster, TableScan.Batches requests,
                                                    List<Double> byReplica, Map<String, Object> runInfo) throws IOException {
        var ticks = new Ticks();
        cluster.forEach(ticks::add);
        if (ticks.rows == 0) return Optional.empty();
        var served = new Served(ticks.tokensBy.keySet());
        requests.forEach(served::add);
        double spanS = ticks.covering * ticks.interval / 1e9;
        return Optional.of(new ClusterSummary(ticks.tokensBy.size(), maxOverMean(on(served.completedBy, byReplica)),
                maxOverMean(on(ticks.tokensBy, byReplica)), RunInfo.prefixHitRatio(runInfo, ticks.hit, ticks.query),
                ticks.covering == 0 ? Double.NaN : (double) ticks.occupancy / ticks.covering,
                ticks.covering == 0 ? Double.NaN : served.rows / spanS,
                served.rows == 0 ? Double.NaN : served.timeInSystemNanos / served.rows / 1e9));
    }

    /**
     * The cluster time series, summed over its ticks. A tick's row stands for the interval before it (its tokens were
     * computed then, and its N is the state at its end), so the row at time 0 covers no time: λ and L are taken over
     * the ticks after 0 (they counted it, and were low by one interval in every run: 14% in a 0.6 s one).
     */
    private static final class Ticks {
        final Map<Long, Long> tokensBy = new TreeMap<>();
        long rows, covering, lastTime = -1, occupancy, query, hit, interval;

        void add(Table c) {
            long[] time = c.longs("time_ns"), replica = c.longs("replica"), inSystem = c.longs("in_system");
            // N(t): the front's requests_in_system; files written before it have only the copies' sum
            long[] requests = c.has("requests_in_system") ? c.longs("requests_in_system") : null;
            long[] tokens = c.longs("tokens"), q = c.longs("prefix_query_tokens"), h = c.longs("prefix_hit_tokens");
            if (rows == 0 && c.rowCount() > 0) interval = c.longs("interval_ns")[0];
            rows += c.rowCount();
            for (int i = 0; i < c.rowCount(); i++) {
                if (time[i] != lastTime) {
                    if (time[i] > 0) covering++;
                    lastTime = time[i];
                }
                if (time[i] <= 0) { /* covers no time */ }
                else if (requests == null) occupancy += inSystem[i];
                else if (replica[i] < 0) occupancy += requests[i];
                if (replica[i] < 0) continue;
                tokensBy.merge(replica[i], tokens[i], Long::sum);
                query += q[i];
                hit += h[i];
            }
        }
    }

    /** Requests completed per replica, and W: time from arrival until the client knew the outcome. */
    private static final class Served {
        final Map<Long, Long> completedBy = new TreeMap<>();
        long rows;
        double timeInSystemNanos;

        Served(Iterable<Long> replicas) {
            for (long r : replicas) completedBy.put(r, 0L);
        }

        void add(Table r) {
            long[] served = r.longs("replica"), arrival = r.longs("arrival_ns"), completion = r.longs("completion_ns");
            long[] routed = r.has("routed_ns") ? r.longs("routed_ns") : null;
            long[] ended = r.has("ended_ns") ? r.longs("ended_ns") : null;
            var errors = r.strings("error");
            rows += r.rowCount();
            for (int i = 0; i < r.rowCount(); i++) {
                if (served[i] >= 0 && errors.get(i).isEmpty()) completedBy.merge(served[i], 1L, Long::sum);
                timeInSystemNanos += endOf(i, ended, completion, routed, arrival) - arrival[i];
            }
        }
    }

    /**
     * When the client knew how row {@code i} ended: {@code ended_ns}; in files written before that column, the
     * completion, else the last routing, else the arrival (short by a failed request's wait after routing).
     */
    private static long endOf(int i, long[] ended, long[] completion, long[] routed, long[] arrival) {
        if (ended != null && ended[i] >= 0) return ended[i];
        if (completion[i] >= 0) return completion[i];
        return routed != null && routed[i] >= 0 ? routed[i] : arrival[i];
    }

    /** The replicas of {@code perReplica} that were on for some time by {@code byReplica} (all when it is null). */
    private static Map<Long, Long> on(Map<Long, Long> perReplica, List<Double> byReplica) {
        if (byReplica == null) return perReplica;
        var kept = new TreeMap<Long, Long>();
        perReplica.forEach((r, v) -> {
            boolean neverOn = r < byReplica.size() && byReplica.get(r.intValue()) == 0.0;
            if (!neverOn) kept.put(r, v);
        });
        return kept.isEmpty() ? perReplica : kept;
    }

    private static double maxOverMean(Map<Long, Long> perReplica) {
        long max = 0, sum = 0;
        for (long v : perReplica.values()) {
            max = Math.max(max, v);
            sum += v;
        }
        return sum == 0 ? Double.NaN : max / ((double) sum / perReplica.size());
    }

    /** The summary.json keys (runtime/RESULTS-SCHEMA.md); NaN becomes null. */
    public Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        json.put("replicas", replicas);
        json.put("load_imbalance", orNull(loadImbalance));
        json.put("load_imbalance_tokens", orNull(tokenImbalance));
        json.put("cluster_prefix_hit_ratio", orNull(prefixHitRatio));
        json.put("little_mean_in_system", orNull(meanInSystem));
        json.put("little_arrival_rate", orNull(arrivalRate));
        json.put("little_mean_time_in_system_s", orNull(meanTimeInSystemS));
        json.put("little_ratio", orNull(littleRatio()));
        return json;
    }

    private static Double orNull(double x) {
        return Double.isFinite(x) ? x : null;
    }
}

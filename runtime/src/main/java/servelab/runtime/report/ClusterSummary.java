package servelab.runtime.report;

import java.util.LinkedHashMap;
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
 * @param prefixHitRatio       cluster-wide prefix-cache hits / lookups, in tokens; NaN when nothing was looked up
 * @param meanInSystem         L: time-averaged requests in the system (mean over ticks of the summed in_system)
 * @param arrivalRate          λ: requests per second over the span the ticks cover
 * @param meanTimeInSystemS    W: mean time from arrival until the client knew the outcome, seconds
 */
public record ClusterSummary(int replicas, double loadImbalance, double tokenImbalance, double prefixHitRatio,
                             double meanInSystem, double arrivalRate, double meanTimeInSystemS) {

    /** L / (λ W): 1 when the two measurements agree. */
    public double littleRatio() {
        return meanInSystem / (arrivalRate * meanTimeInSystemS);
    }

    /** Empty for a run without cluster.arrow (imported, or written before clusters). */
    public static Optional<ClusterSummary> compute(RunResults results) {
        var table = results.table(ResultTable.CLUSTER);
        if (table.isEmpty() || table.get().rowCount() == 0) return Optional.empty();
        var c = table.get();
        long[] time = c.longs("time_ns"), replica = c.longs("replica"), inSystem = c.longs("in_system");
        long[] tokens = c.longs("tokens"), query = c.longs("prefix_query_tokens"), hit = c.longs("prefix_hit_tokens");
        long interval = c.longs("interval_ns")[0];
        var tokensBy = new TreeMap<Long, Long>();
        long ticks = 0, lastTime = -1, occupancy = 0, q = 0, h = 0;
        for (int i = 0; i < c.rowCount(); i++) {
            if (time[i] != lastTime) {
                ticks++;
                lastTime = time[i];
            }
            occupancy += inSystem[i];
            if (replica[i] < 0) continue;
            tokensBy.merge(replica[i], tokens[i], Long::sum);
            q += query[i];
            h += hit[i];
        }
        var requests = results.requests();
        long[] served = requests.longs("replica");
        var completedBy = new TreeMap<Long, Long>();
        for (long r : tokensBy.keySet()) completedBy.put(r, 0L);
        var errors = requests.strings("error");
        for (int i = 0; i < served.length; i++) {
            if (served[i] >= 0 && errors.get(i).isEmpty()) completedBy.merge(served[i], 1L, Long::sum);
        }
        double spanS = ticks * interval / 1e9;
        return Optional.of(new ClusterSummary(tokensBy.size(), maxOverMean(completedBy), maxOverMean(tokensBy),
                q == 0 ? Double.NaN : (double) h / q, (double) occupancy / ticks, requests.rowCount() / spanS,
                meanTimeInSystemS(results)));
    }

    private static double meanTimeInSystemS(RunResults results) {
        var r = results.requests();
        long[] arrival = r.longs("arrival_ns"), completion = r.longs("completion_ns");
        long[] routed = r.has("routed_ns") ? r.longs("routed_ns") : new long[arrival.length];
        if (!r.has("routed_ns")) java.util.Arrays.fill(routed, -1);
        double sum = 0;
        for (int i = 0; i < arrival.length; i++) {
            long done = completion[i] >= 0 ? completion[i] : routed[i] >= 0 ? routed[i] : arrival[i];
            sum += done - arrival[i];
        }
        return arrival.length == 0 ? Double.NaN : sum / arrival.length / 1e9;
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

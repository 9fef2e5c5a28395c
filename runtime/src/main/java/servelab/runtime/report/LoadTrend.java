package servelab.runtime.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import servelab.runtime.record.ResultTable;

/**
 * Whether a run's load outgrew it, from its requests only. Offered more than it completes, a system's queue grows for
 * as long as requests arrive, and every latency and goodput figure then depends on how long the trace is (twice the
 * requests, twice the wait at the end), not on the policies compared. Two signs, both needed: requests left the
 * system (any outcome) more slowly than they arrived, and the requests in the system at the last arrival were many
 * more than a quarter of the way through the arrivals. (A stable system holds about as many at both times, arrival
 * rate x time in system; counts, not latencies: a shortest-job-first queue starves its long requests while its
 * recent short ones finish fast, so its late arrivals' latency does not grow.)
 *
 * @param arrivalRate   requests per second over the arrival span (first to last arrival)
 * @param departureRate requests that ended, any outcome, by the last arrival, per second of that span
 * @param atQuarter     requests in the system (arrived, not ended) a quarter of the way through the arrival span
 * @param atLast        requests in the system at the last arrival
 */
public record LoadTrend(double arrivalRate, double departureRate, long atQuarter, long atLast) {
    /** Departures below this fraction of arrivals, with the backlog grown by {@link #GROWTH}, is overload. */
    static final double DEPARTURES = 0.9;
    static final double GROWTH = 1.5;
    /** Fewer requests than this say nothing about a trend. */
    static final int MIN_REQUESTS = 20;

    public boolean overloaded() {
        return departureRate < DEPARTURES * arrivalRate && atLast >= GROWTH * Math.max(1, atQuarter);
    }

    /** Empty for a run of under {@value #MIN_REQUESTS} requests, one whose requests all arrived at once, or one without end times. */
    public static Optional<LoadTrend> compute(Path runDir) throws IOException {
        var scan = TableScan.of(runDir, ResultTable.REQUESTS, "arrival_ns", "ended_ns");
        if (scan.isEmpty()) return Optional.empty();
        long[] span = {Long.MAX_VALUE, Long.MIN_VALUE, 0};
        boolean[] ended = {true};
        scan.get().forEach(batch -> {
            if (!batch.has("ended_ns")) {
                ended[0] = false;
                return;
            }
            for (long a : batch.longs("arrival_ns")) {
                span[0] = Math.min(span[0], a);
                span[1] = Math.max(span[1], a);
                span[2]++;
            }
        });
        if (!ended[0] || span[2] < MIN_REQUESTS || span[1] <= span[0]) return Optional.empty();
        long last = span[1], quarter = span[0] + (last - span[0]) / 4;
        long[] counts = new long[3]; // arrived by the quarter, ended by it, ended by the last arrival
        scan.get().forEach(batch -> {
            var arrivals = batch.longs("arrival_ns");
            var ends = batch.longs("ended_ns");
            var missing = batch.nulls("ended_ns");
            for (int i = 0; i < arrivals.length; i++) {
                if (arrivals[i] <= quarter) counts[0]++;
                if (missing[i]) continue; // never ended: in the system at both times
                if (ends[i] <= quarter && arrivals[i] <= quarter) counts[1]++;
                if (ends[i] <= last) counts[2]++;
            }
        });
        double seconds = (last - span[0]) / 1e9;
        return Optional.of(new LoadTrend(span[2] / seconds, counts[2] / seconds, counts[0] - counts[1],
                span[2] - counts[2]));
    }

    /** summary.json's keys. */
    public Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        json.put("load_arrival_rate", arrivalRate);
        json.put("load_departure_rate", departureRate);
        json.put("load_in_system_at_quarter", atQuarter);
        json.put("load_in_system_at_last_arrival", atLast);
        json.put("overloaded", overloaded());
        return json;
    }

    /** What the console and the report say of an overloaded run. */
    public String warning() {
        return String.format(Locale.ROOT, "the run was overloaded: requests arrived at %.2f/s and left at %.2f/s while "
                + "they arrived, and the requests in the system grew from %,d a quarter of the way through the "
                + "arrivals to %,d at the last one: its queue grew for as long as requests came, so its latency and "
                + "goodput figures grow with the trace's length (a lower rate, fewer requests or more replicas measure "
                + "a steady state)",
                arrivalRate, departureRate, atQuarter, atLast);
    }
}

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
 * requests, twice the wait at the end), not on the policies compared. Three signs, all needed: requests left the
 * system (any outcome) more slowly than they arrived; the mean number in the system over the last quarter of the
 * arrival span was {@value #GROWTH} times that over the second quarter (the first is left out: it starts empty); and
 * that mean was at least {@value #MIN_BACKLOG} requests. A run of fewer than {@value #MIN_REQUESTS} requests is not
 * judged: a short one is all filling up (a re-audit found a third of 20- and 30-request runs at 1 req/s flagged,
 * their departures short of their arrivals by the run's own latency). A stable system holds about arrival rate x time in system in
 * every quarter; counts, not latencies, because a shortest-job-first queue starves its long requests while its late
 * short ones finish fast; means over a quarter, not a count at one instant, because a burst at the end of a stable run
 * is an instant; and a floor, because a short run of a few requests in the system says nothing either way.
 *
 * @param arrivalRate   requests per second over the arrival span (first to last arrival)
 * @param departureRate requests that ended, any outcome, by the last arrival, per second of that span
 * @param secondQuarter mean requests in the system (arrived, not ended) over the second quarter of the arrival span
 * @param lastQuarter   the same over its last quarter
 */
public record LoadTrend(double arrivalRate, double departureRate, double secondQuarter, double lastQuarter) {
    static final double DEPARTURES = 0.9;
    static final double GROWTH = 1.5;
    static final double MIN_BACKLOG = 10;
    /** Fewer requests than this say nothing about a trend. */
    static final int MIN_REQUESTS = 200;

    public boolean overloaded() {
        return departureRate < DEPARTURES * arrivalRate && lastQuarter >= GROWTH * secondQuarter
                && lastQuarter >= MIN_BACKLOG;
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
        long first = span[0], last = span[1], quarter = (last - first) / 4;
        long q2From = first + quarter, q2To = first + 2 * quarter, q4From = last - quarter;
        double[] inSystemNs = new double[2]; // request-nanoseconds in the system over the second and the last quarter
        long[] departed = new long[1]; // ended by the last arrival
        scan.get().forEach(batch -> {
            var arrivals = batch.longs("arrival_ns");
            var ends = batch.longs("ended_ns");
            var missing = batch.nulls("ended_ns");
            for (int i = 0; i < arrivals.length; i++) {
                long end = missing[i] ? Long.MAX_VALUE : ends[i]; // never ended: in the system throughout
                if (end <= last) departed[0]++;
                inSystemNs[0] += overlap(arrivals[i], end, q2From, q2To);
                inSystemNs[1] += overlap(arrivals[i], end, q4From, last);
            }
        });
        double seconds = (last - first) / 1e9;
        return Optional.of(new LoadTrend(span[2] / seconds, departed[0] / seconds,
                quarter == 0 ? 0 : inSystemNs[0] / quarter, quarter == 0 ? 0 : inSystemNs[1] / quarter));
    }

    /** How long {@code [from, to)} and {@code [a, b)} overlap, nanoseconds. */
    private static double overlap(long from, long to, long a, long b) {
        return Math.max(0, (double) Math.min(to, b) - Math.max(from, a));
    }

    /** summary.json's keys. */
    public Map<String, Object> toJson() {
        var json = new LinkedHashMap<String, Object>();
        json.put("load_arrival_rate", arrivalRate);
        json.put("load_departure_rate", departureRate);
        json.put("load_in_system_second_quarter", secondQuarter);
        json.put("load_in_system_last_quarter", lastQuarter);
        json.put("overloaded", overloaded());
        return json;
    }

    /** What the console and the report say of an overloaded run. */
    public String warning() {
        return String.format(Locale.ROOT, "the run was overloaded: requests arrived at %.2f/s and left at %.2f/s while "
                + "they arrived, and the requests in the system grew from %.1f on average over the second quarter of "
                + "the arrivals to %.1f over the last: its queue grew for as long as requests came, so its latency and "
                + "goodput figures grow with the trace's length (a lower rate, fewer requests or more replicas measure "
                + "a steady state)", arrivalRate, departureRate, secondQuarter, lastQuarter);
    }
}

package servelab.bench.effects;

import java.util.Arrays;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import servelab.datasets.TraceRequest;
import servelab.runtime.record.RequestRow;

/**
 * The fairness measure of the VTC paper (Sheng et al., OSDI'24, §4): the service W of a tenant is its weighted
 * tokens, {@code w_in} per prompt token (counted when the request is first scheduled) plus {@code w_out} per output
 * token (when produced); over any interval in which both tenants are backlogged (each has a request that has
 * arrived and not yet been scheduled), the paper bounds the difference of the services they received. This finds
 * the largest such difference in a finished run, exactly: both are step functions, evaluated at every time either
 * changes, so a moment in which a tenant's queue is empty always ends a period.
 */
final class ServiceGap {
    private ServiceGap() {}

    /** The paper's bound, as the issue states it: 2 x the largest weighted cost of one request of the trace. */
    static double bound(List<TraceRequest> trace, double wIn, double wOut) {
        double u = trace.stream().mapToDouble(r -> wIn * r.inputTokens() + wOut * r.outputTokens()).max().orElse(0);
        return 2 * u;
    }

    /** The largest |ΔW_f - ΔW_g| over sub-intervals of the periods in which both tenants were backlogged. */
    static double of(List<RequestRow> rows, String f, String g, double wIn, double wOut) {
        var a = Tenant.of(rows, f, wIn, wOut).cursor();
        var b = Tenant.of(rows, g, wIn, wOut).cursor();
        double gap = 0;
        double lo = Double.NaN, hi = Double.NaN; // range of W_f - W_g in the current both-backlogged period
        for (long t : eventTimes(a.tenant, b.tenant)) { // both step functions change only at these times
            a.advance(t);
            b.advance(t);
            if (a.backlogged() && b.backlogged()) {
                double d = a.service() - b.service();
                lo = Double.isNaN(lo) ? d : Math.min(lo, d);
                hi = Double.isNaN(hi) ? d : Math.max(hi, d);
                gap = Math.max(gap, hi - lo);
            } else {
                lo = hi = Double.NaN;
            }
        }
        return gap;
    }

    private static long[] eventTimes(Tenant a, Tenant b) {
        return Stream.of(a.serviceTimes(), a.arrivals(), a.admissions(), b.serviceTimes(), b.arrivals(), b.admissions())
                .flatMapToLong(LongStream::of).sorted().distinct().toArray();
    }

    /** One tenant's service and backlog as step functions of time: sorted event times. */
    private record Tenant(long[] serviceTimes, double[] cumulative, long[] arrivals, long[] admissions) {
        static Tenant of(List<RequestRow> rows, String tenant, double wIn, double wOut) {
            var mine = rows.stream().filter(r -> r.tenant().equals(tenant) && r.isOk()).toList();
            int events = mine.stream().mapToInt(r -> 1 + r.tokenTimesNanos().length).sum();
            var times = new long[events];
            var amounts = new double[events];
            int k = 0;
            for (var r : mine) {
                times[k] = r.firstScheduledNanos();
                amounts[k++] = wIn * r.inputTokens();
                for (long t : r.tokenTimesNanos()) {
                    times[k] = t;
                    amounts[k++] = wOut;
                }
            }
            Integer[] order = new Integer[events];
            for (int i = 0; i < events; i++) order[i] = i;
            Arrays.sort(order, (x, y) -> Long.compare(times[x], times[y]));
            var sortedTimes = new long[events];
            var cumulative = new double[events];
            double sum = 0;
            for (int i = 0; i < events; i++) {
                sortedTimes[i] = times[order[i]];
                cumulative[i] = sum += amounts[order[i]];
            }
            long[] arrivals = mine.stream().mapToLong(RequestRow::arrivalNanos).sorted().toArray();
            long[] admissions = mine.stream().mapToLong(RequestRow::firstScheduledNanos).sorted().toArray();
            return new Tenant(sortedTimes, cumulative, arrivals, admissions);
        }

        Cursor cursor() {
            return new Cursor(this);
        }
    }

    /** Reads a tenant's step functions at increasing times in one pass. */
    private static final class Cursor {
        final Tenant tenant;
        private int served, arrived, admitted;

        Cursor(Tenant tenant) {
            this.tenant = tenant;
        }

        /** Moves to time {@code t} (never earlier than the last call): events at or before {@code t} count. */
        void advance(long t) {
            while (served < tenant.serviceTimes().length && tenant.serviceTimes()[served] <= t) served++;
            while (arrived < tenant.arrivals().length && tenant.arrivals()[arrived] <= t) arrived++;
            while (admitted < tenant.admissions().length && tenant.admissions()[admitted] <= t) admitted++;
        }

        /** Weighted tokens served so far. */
        double service() {
            return served == 0 ? 0 : tenant.cumulative()[served - 1];
        }

        /** Whether some request has arrived and is not yet scheduled. */
        boolean backlogged() {
            return arrived > admitted;
        }
    }
}

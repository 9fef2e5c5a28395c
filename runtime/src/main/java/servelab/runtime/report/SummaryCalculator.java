package servelab.runtime.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalDouble;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;

import servelab.runtime.record.Slo;

/**
 * One pass over the requests table, batch by batch, that gathers what {@link Summary} reports. Latencies are
 * pooled in {@link ManyValues}, so a run whose gaps do not fit in memory reads the table again for them instead.
 */
final class SummaryCalculator {

    /** The columns a summary reads. */
    static final String[] COLUMNS = {"error", "arrival_ns", "completion_ns", "input_tokens", "output_tokens",
            "preemptions", "ttft_ms", "tpot_ms", "e2el_ms", "itl_ms"};

    private SummaryCalculator() {
    }

    static Summary compute(Table requests, Slo slo, Window window) {
        try {
            return compute(TableScan.of(requests), slo, ManyValues::new, window);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a loaded table reads no file
        }
    }

    /** @param pool a fresh pool per metric (tests pass small ones to exercise the passes) */
    static Summary compute(TableScan.Batches requests, Slo slo, Supplier<ManyValues> pool) throws IOException {
        return compute(requests, slo, pool, Window.ALL);
    }

    /** Over the requests that arrived in {@code window}, with the same definitions. */
    static Summary compute(TableScan.Batches requests, Slo slo, Supplier<ManyValues> pool, Window window)
            throws IOException {
        var ttfts = pool.get();
        var tpots = pool.get();
        var e2els = pool.get();
        var itls = pool.get();
        var totals = new Totals();
        requests.forEach(batch -> {
            totals.add(batch, slo, window);
            completedValues(batch, "ttft_ms", window, ttfts::add);
            completedValues(batch, "tpot_ms", window, tpots::add);
            completedValues(batch, "e2el_ms", window, e2els::add);
            completedGapLists(batch, window, itls::addAll);
        });
        double duration = totals.duration(window);
        return new Summary(totals.completed, totals.rows - totals.completed, duration, totals.inputTokens,
                totals.outputTokens, rate(totals.done, duration), rate(totals.outputTokens, duration),
                rate(totals.inputTokens + totals.outputTokens, duration),
                slo.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(rate(totals.good, duration)), slo,
                ttfts.stats(each -> requests.forEach(b -> completedValues(b, "ttft_ms", window, each))),
                tpots.stats(each -> requests.forEach(b -> completedValues(b, "tpot_ms", window, each))),
                itls.stats(each -> requests.forEach(b -> completedGaps(b, window, each))),
                e2els.stats(each -> requests.forEach(b -> completedValues(b, "e2el_ms", window, each))),
                totals.preemptionsKnown ? totals.preemptions : -1, totals.goodArrived);
    }

    /** The known values of a latency column over the batch's completed requests that arrived in the window. */
    private static void completedValues(Table batch, String column, Window window, DoubleConsumer out) {
        var errors = batch.strings("error");
        long[] arrival = batch.longs("arrival_ns");
        double[] values = batch.doubles(column);
        for (int i = 0; i < values.length; i++) {
            if (errors.get(i).isEmpty() && !Double.isNaN(values[i]) && window.contains(arrival[i])) out.accept(values[i]);
        }
    }

    /** Every inter-token gap of the batch's completed requests that arrived in the window. */
    private static void completedGaps(Table batch, Window window, DoubleConsumer out) {
        var errors = batch.strings("error");
        long[] arrival = batch.longs("arrival_ns");
        batch.forEachListValue("itl_ms", i -> errors.get(i).isEmpty() && window.contains(arrival[i]), out);
    }

    /** {@link #completedGaps} a request's gaps at a time. */
    private static void completedGapLists(Table batch, Window window, java.util.function.Consumer<double[]> out) {
        var errors = batch.strings("error");
        long[] arrival = batch.longs("arrival_ns");
        batch.forEachList("itl_ms", i -> errors.get(i).isEmpty() && window.contains(arrival[i]), out);
    }

    /**
     * {@code count} per second of {@code seconds}: 0 when nothing was counted (no request completed, or none met the
     * objectives), which is a rate of 0, not a missing one (a sweep's mean over seeds left such points out); NaN
     * when there was something and no time to divide it by.
     */
    private static double rate(long count, double seconds) {
        return count == 0 ? 0 : seconds > 0 ? count / seconds : Double.NaN;
    }

    /**
     * Counts and sums over all rows. With a {@link Window}: the requests that arrived in it are {@code completed} and
     * failed; the throughputs count what completed in it ({@code done}, their tokens, the good ones among them) over
     * the window's part of the run, from its start (or the first arrival) to its end (or the last completion).
     * Without one the two sets are the same, and the span is the first arrival to the last completion.
     */
    private static final class Totals {
        int rows;
        int completed;
        int done;
        int good;
        /** Of the requests that arrived in the window, those that completed meeting every objective (SLO attainment). */
        int goodArrived;
        long inputTokens;
        long outputTokens;
        long preemptions;
        /** Whether any row knows its preemptions (a load client's rows all have null there). */
        boolean preemptionsKnown;
        long firstArrival = Long.MAX_VALUE;
        long lastCompletion = Long.MIN_VALUE;

        void add(Table batch, Slo slo, Window window) {
            int n = batch.rowCount();
            var errors = batch.strings("error");
            long[] arrival = batch.longs("arrival_ns");
            long[] completion = batch.longs("completion_ns");
            long[] input = batch.longs("input_tokens");
            long[] output = batch.longs("output_tokens");
            long[] preempted = batch.longs("preemptions");
            if (!preemptionsKnown) for (boolean isNull : batch.nulls("preemptions")) preemptionsKnown |= !isNull;
            double[] ttft = batch.doubles("ttft_ms");
            double[] tpot = batch.doubles("tpot_ms");
            double[] e2el = batch.doubles("e2el_ms");
            for (int i = 0; i < n; i++) {
                if (arrival[i] >= 0) firstArrival = Math.min(firstArrival, arrival[i]);
                boolean ok = errors.get(i).isEmpty();
                if (ok) lastCompletion = Math.max(lastCompletion, completion[i]);
                if (window.contains(arrival[i])) {
                    rows++;
                    if (preempted[i] > 0) preemptions += preempted[i];
                    if (ok) completed++;
                    if (ok && slo.isMet(ttft[i], tpot[i], e2el[i])) goodArrived++;
                }
                if (ok && window.contains(completion[i])) { // a completion time, on the same clock
                    done++;
                    inputTokens += input[i];
                    outputTokens += output[i];
                    if (slo.isMet(ttft[i], tpot[i], e2el[i])) good++;
                }
            }
        }

        /** The span the throughputs divide by; NaN (null in summary.json) when nothing completed: there is no span. */
        double duration(Window window) {
            if (lastCompletion == Long.MIN_VALUE || firstArrival == Long.MAX_VALUE) return Double.NaN;
            if (window.isAll()) return completed == 0 ? Double.NaN : (lastCompletion - firstArrival) / 1e9;
            double from = Math.max(window.startS(), firstArrival / 1e9), to = Math.min(window.endS(), lastCompletion / 1e9);
            return to > from ? to - from : Double.NaN;
        }
    }
}

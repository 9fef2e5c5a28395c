package servelab.runtime.report;

import java.util.OptionalDouble;

import servelab.runtime.record.Slo;

/** One pass over the requests table that gathers what {@link Summary} reports. */
final class SummaryCalculator {

    private SummaryCalculator() {
    }

    static Summary compute(Table requests, Slo slo) {
        int n = requests.rowCount();
        var errors = requests.strings("error");
        long[] arrival = requests.longs("arrival_ns");
        long[] completion = requests.longs("completion_ns");
        long[] input = requests.longs("input_tokens");
        long[] output = requests.longs("output_tokens");
        long[] preempted = requests.longs("preemptions");
        double[] ttft = requests.doubles("ttft_ms");
        double[] tpot = requests.doubles("tpot_ms");
        double[] e2el = requests.doubles("e2el_ms");
        var itl = requests.doubleLists("itl_ms");

        var ttfts = new DoubleList();
        var tpots = new DoubleList();
        var e2els = new DoubleList();
        var itls = new DoubleList();
        int completed = 0;
        int good = 0;
        long inputTokens = 0;
        long outputTokens = 0;
        long preemptions = 0;
        long firstArrival = Long.MAX_VALUE;
        long lastCompletion = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (arrival[i] >= 0) firstArrival = Math.min(firstArrival, arrival[i]);
            if (preempted[i] > 0) preemptions += preempted[i];
            if (!errors.get(i).isEmpty()) continue;
            completed++;
            inputTokens += input[i];
            outputTokens += output[i];
            lastCompletion = Math.max(lastCompletion, completion[i]);
            ttfts.addIfKnown(ttft[i]);
            tpots.addIfKnown(tpot[i]);
            e2els.addIfKnown(e2el[i]);
            itls.addAll(itl.get(i));
            if (slo.isMet(ttft[i], tpot[i], e2el[i])) good++;
        }
        double duration = completed == 0 || firstArrival == Long.MAX_VALUE ? 0 : (lastCompletion - firstArrival) / 1e9;
        return new Summary(completed, n - completed, duration, inputTokens, outputTokens, rate(completed, duration),
                rate(outputTokens, duration), rate(inputTokens + outputTokens, duration),
                slo.isEmpty() ? OptionalDouble.empty() : OptionalDouble.of(rate(good, duration)), slo,
                Stats.of(ttfts.toArray()), Stats.of(tpots.toArray()), Stats.of(itls.toArray()),
                Stats.of(e2els.toArray()), preemptions);
    }

    private static double rate(long count, double seconds) {
        return seconds > 0 ? count / seconds : Double.NaN;
    }

    /** A growable double array, so pooling a run's ITLs (millions of gaps) boxes nothing. */
    private static final class DoubleList {
        private double[] values = new double[64];
        private int size;

        void addIfKnown(double x) {
            if (Double.isNaN(x)) return;
            if (size == values.length) values = java.util.Arrays.copyOf(values, size * 2);
            values[size++] = x;
        }

        void addAll(double[] xs) {
            if (size + xs.length > values.length) {
                values = java.util.Arrays.copyOf(values, Math.max(values.length * 2, size + xs.length));
            }
            System.arraycopy(xs, 0, values, size, xs.length);
            size += xs.length;
        }

        double[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}

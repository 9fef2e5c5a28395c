package servelab.runtime.calibrate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import servelab.runtime.record.ResultTable;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Table;

/**
 * Where a validation's time differs, by kind of step: the steps of the real runs and of the simulation grouped by what
 * they computed (prefill only, prefill beside decodes, and decode-only steps by their token count), with each kind's
 * mean step time in both worlds. A latency error says that the simulation is off; this says which term of the cost
 * model is: the real and simulated runs take different step sequences, but the same scheduler and batcher give each
 * kind the same shapes on average, so a kind whose mean step differs is a kind the profile prices wrong.
 *
 * @param kinds the kinds that either world ran, in {@link #KINDS} order, then "all steps"
 */
public record StepKinds(List<Kind> kinds) {
    /** The kinds' labels, in report order; decode-only steps go by their decode tokens from {@link #DECODE_LOW}. */
    static final List<String> KINDS = List.of("prefill only", "prefill + decode", "decode, 1 token", "decode, 2-4 tokens",
            "decode, 5-8 tokens", "decode, 9-16 tokens", "decode, 17-32 tokens", "decode, over 32 tokens");
    /** The fewest decode tokens of each decode-only kind (labels 2 .. 7 of {@link #KINDS}). */
    private static final int[] DECODE_LOW = {1, 2, 5, 9, 17, 33};

    /**
     * One kind of step.
     *
     * @param kind          label from {@link #KINDS}, or "all steps"
     * @param realSteps     steps of this kind in the median real run (by busy time)
     * @param simSteps      steps of this kind in the simulation
     * @param realMeanMs    mean step time over every real run's steps of this kind, ms (NaN if none)
     * @param simMeanMs     the same in the simulation
     * @param realBusyMs    busy time in steps of this kind in the median real run, ms
     * @param simBusyMs     the same in the simulation
     * @param realBusyShare this kind's share of the real runs' busy time
     */
    public record Kind(String kind, long realSteps, long simSteps, double realMeanMs, double simMeanMs,
                       double realBusyMs, double simBusyMs, double realBusyShare) {
        /** (simulated - real) / real of the mean step; NaN where either world ran none. */
        public double relative() {
            return (simMeanMs - realMeanMs) / realMeanMs;
        }

        /** (simulated - real) / real of the busy time. */
        public double busyRelative() {
            return (simBusyMs - realBusyMs) / realBusyMs;
        }
    }

    /** The kind of a step, an index into {@link #KINDS}. */
    static int kindOf(long prefillTokens, long decodeTokens) {
        if (prefillTokens > 0) return decodeTokens > 0 ? 1 : 0;
        int k = 0;
        while (k + 1 < DECODE_LOW.length && decodeTokens >= DECODE_LOW[k + 1]) k++;
        return 2 + k;
    }

    /** The kinds' figures for real runs against a simulation (runs without an iterations table count as empty). */
    public static StepKinds of(List<RunResults> real, RunResults sim) {
        int n = KINDS.size();
        var realSums = new double[n + 1];
        var realCounts = new long[n + 1];
        var perRunBusy = new double[real.size()];
        var perRunCounts = new long[real.size()][];
        var perRunSums = new double[real.size()][];
        for (int r = 0; r < real.size(); r++) {
            var counts = new long[n + 1];
            var sums = new double[n + 1];
            add(real.get(r), sums, counts);
            for (int k = 0; k <= n; k++) {
                realSums[k] += sums[k];
                realCounts[k] += counts[k];
            }
            perRunBusy[r] = sums[n];
            perRunCounts[r] = counts;
            perRunSums[r] = sums;
        }
        var simSums = new double[n + 1];
        var simCounts = new long[n + 1];
        add(sim, simSums, simCounts);
        int median = medianRun(perRunBusy);
        var out = new ArrayList<Kind>();
        for (int k = 0; k <= n; k++) {
            if (k < n && realCounts[k] == 0 && simCounts[k] == 0) continue;
            boolean none = perRunCounts.length == 0;
            out.add(new Kind(k < n ? KINDS.get(k) : "all steps", none ? 0 : perRunCounts[median][k], simCounts[k],
                    mean(realSums[k], realCounts[k]), mean(simSums[k], simCounts[k]),
                    none ? Double.NaN : perRunSums[median][k], simSums[k],
                    // the share is of the run whose steps and busy time the row shows (a pooled share contradicted
                    // them: 14.8% for a kind with no step in that run)
                    !none && perRunSums[median][n] > 0 ? perRunSums[median][k] / perRunSums[median][n] : Double.NaN));
        }
        return new StepKinds(List.copyOf(out));
    }

    private static void add(RunResults run, double[] sums, long[] counts) {
        var table = run.table(ResultTable.ITERATIONS);
        if (table.isEmpty()) return;
        Table t = table.get();
        long[] prefill = t.longs("prefill_tokens");
        long[] decode = t.longs("decode_tokens");
        double[] ms = t.doubles("duration_ms");
        int all = sums.length - 1;
        for (int i = 0; i < ms.length; i++) {
            if (Double.isNaN(ms[i]) || prefill[i] + decode[i] <= 0) continue; // an idle or failed step computed nothing
            int k = kindOf(prefill[i], decode[i]);
            sums[k] += ms[i];
            counts[k]++;
            sums[all] += ms[i];
            counts[all]++;
        }
    }

    private static double mean(double sum, long count) {
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Index of the run with the median busy time (the lower middle for an even count). */
    private static int medianRun(double[] busy) {
        if (busy.length == 0) return 0;
        var order = new Integer[busy.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(busy[a], busy[b]));
        return order[(busy.length - 1) / 2];
    }
}

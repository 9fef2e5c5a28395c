package servelab.runtime.calibrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Stats;
import servelab.runtime.report.Summary;

/**
 * ServeLab's own sim-vs-real error: one experiment (trace, plugins, seed) run once on the model executor and once
 * in simulation with a calibrated profile, compared metric by metric and request by request. The simulation gets
 * the real run's KV blocks, so both worlds have the same memory whatever the profile says. A throw-away real run of
 * the first {@value #WARMUP_REQUESTS} requests goes first ({@code warmup/}), so the measured one starts with a warm
 * JIT.
 */
public final class Validation {
    /**
     * Requests of the throw-away real run before the measured one. The model executor's own warm-up compiles the
     * kernels only; the first steps of a fresh JVM also compile the engine, the plugins and the recorder, and on a
     * small machine those seconds hold up the first requests, which then batch together: the whole run follows
     * from a start-up cost no profile has. The first requests of the same experiment, run once before, leave the
     * JIT warm for the measured run.
     */
    static final int WARMUP_REQUESTS = 8;

    private Validation() {}

    /**
     * @param experiment  experiment file, or null for the defaults
     * @param overrides   {@code key=value} overrides applied to both runs
     * @param model       GGUF file of the real run
     * @param profile     profile (bundled name or path) of the simulated run
     * @param out         folder: {@code real/} and {@code simulated/} run folders go into it
     * @param pluginsDir  plugins directory of both runs
     * @param realRun     an earlier real run of the same experiment to compare with instead of running the model
     *                    again (several profiles against one real run), or null
     */
    public record Settings(Path experiment, List<String> overrides, Path model, String profile, Path out,
                           Path pluginsDir, Path realRun) {}

    /** Relative error of one statistic: (simulated - real) / real. */
    public record MetricError(String metric, String statistic, double real, double simulated) {
        public double relative() {
            return (simulated - real) / real;
        }
    }

    /**
     * @param realDir          the model executor's run
     * @param simulatedDir     the simulation's run
     * @param errors           per metric and statistic, in report order
     * @param e2elErrors       per request present in both runs: (simulated - real) / real of its E2EL
     * @param e2elErrorStats   statistics of |e2elErrors|
     */
    public record Result(Path realDir, Path simulatedDir, Summary real, Summary simulated, List<MetricError> errors,
                         double[] e2elErrors, Stats e2elErrorStats) {
        /** The error of {@code metric} (e.g. {@code TPOT}) at {@code statistic} (e.g. {@code mean}). */
        public MetricError error(String metric, String statistic) {
            return errors.stream().filter(e -> e.metric().equals(metric) && e.statistic().equals(statistic)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no error for " + metric + " " + statistic));
        }

        /** Fraction of requests whose E2EL is within {@code bound} (relative) of the real one. */
        public double fractionWithin(double bound) {
            if (e2elErrors.length == 0) return Double.NaN;
            int n = 0;
            for (double e : e2elErrors) if (Math.abs(e) <= bound) n++;
            return n / (double) e2elErrors.length;
        }
    }

    public static Result run(Settings s, ExperimentRunner.Progress progress) throws IOException {
        var realDir = s.realRun() != null ? s.realRun() : s.out().resolve("real");
        if (s.realRun() == null) {
            var realOverrides = new ArrayList<>(s.overrides());
            realOverrides.add("executor=model");
            realOverrides.add("model.path=" + s.model());
            var warmup = new ArrayList<>(realOverrides);
            warmup.add("trace.transforms.first=" + WARMUP_REQUESTS);
            ExperimentRunner.run(ExperimentFile.load(s.experiment(), warmup), s.out().resolve("warmup"),
                    new ExperimentRunner.Options(s.pluginsDir(), null, null, null));
            ExperimentRunner.run(ExperimentFile.load(s.experiment(), realOverrides), realDir,
                    new ExperimentRunner.Options(s.pluginsDir(), null, progress, null));
        }
        var realResults = RunResults.load(realDir);
        var realSummary = Summary.compute(realResults, servelab.runtime.record.Slo.NONE);
        var simOverrides = new ArrayList<>(s.overrides());
        simOverrides.add("executor=simulated");
        simOverrides.add("profile=" + s.profile());
        simOverrides.add("kv.blocks=" + kvBlocks(realResults));
        var simDir = s.out().resolve("simulated");
        var sim = ExperimentRunner.run(ExperimentFile.load(s.experiment(), simOverrides), simDir,
                new ExperimentRunner.Options(s.pluginsDir(), null, progress, null));
        var e2el = perRequestE2elErrors(realResults, RunResults.load(simDir));
        var abs = new double[e2el.length];
        for (int i = 0; i < abs.length; i++) abs[i] = Math.abs(e2el[i]);
        return new Result(realDir, simDir, realSummary, sim.summary(), errors(realSummary, sim.summary()), e2el,
                Stats.ofKnown(abs));
    }

    /** Mean, p50, p90, p99 of TTFT, TPOT, ITL, E2EL, then request and output throughput. */
    static List<MetricError> errors(Summary real, Summary sim) {
        var out = new ArrayList<MetricError>();
        stats(out, "TTFT", real.ttftMs(), sim.ttftMs());
        stats(out, "TPOT", real.tpotMs(), sim.tpotMs());
        stats(out, "ITL", real.itlMs(), sim.itlMs());
        stats(out, "E2EL", real.e2elMs(), sim.e2elMs());
        out.add(new MetricError("throughput", "requests/s", real.requestThroughput(), sim.requestThroughput()));
        out.add(new MetricError("throughput", "output tokens/s", real.outputThroughput(), sim.outputThroughput()));
        return List.copyOf(out);
    }

    private static void stats(List<MetricError> out, String metric, Stats real, Stats sim) {
        out.add(new MetricError(metric, "mean", real.mean(), sim.mean()));
        out.add(new MetricError(metric, "p50", real.median(), sim.median()));
        out.add(new MetricError(metric, "p90", real.p90(), sim.p90()));
        out.add(new MetricError(metric, "p99", real.p99(), sim.p99()));
    }

    private static int kvBlocks(RunResults real) {
        if (real.runInfo().get("kv") instanceof Map<?, ?> kv && kv.get("blocks") instanceof Number n) return n.intValue();
        throw new IllegalStateException(real.dir() + "/run.json lacks kv.blocks");
    }

    /** Per request id found in both runs with a known E2EL: (sim - real) / real, in the real run's order. */
    static double[] perRequestE2elErrors(RunResults real, RunResults sim) {
        var simById = new HashMap<Long, Double>();
        long[] simIds = sim.requests().longs("request_id");
        double[] simE2el = sim.requests().doubles("e2el_ms");
        for (int i = 0; i < simIds.length; i++) simById.put(simIds[i], simE2el[i]);
        long[] ids = real.requests().longs("request_id");
        double[] e2el = real.requests().doubles("e2el_ms");
        var out = new ArrayList<Double>();
        for (int i = 0; i < ids.length; i++) {
            Double s = simById.get(ids[i]);
            if (s == null || Double.isNaN(s) || Double.isNaN(e2el[i]) || e2el[i] <= 0) continue;
            out.add((s - e2el[i]) / e2el[i]);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }
}

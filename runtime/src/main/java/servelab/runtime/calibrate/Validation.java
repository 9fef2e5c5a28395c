package servelab.runtime.calibrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Stats;
import servelab.runtime.report.Summary;

/**
 * ServeLab's own sim-vs-real error: one experiment (trace, plugins, seed) run on the model executor and once in
 * simulation with a calibrated profile, compared metric by metric and request by request. The simulation gets the
 * real run's KV blocks, so both worlds have the same memory whatever the profile says. A throw-away real run of the
 * first {@value #WARMUP_REQUESTS} requests goes first ({@code warmup/}), so the measured one starts with a warm JIT.
 *
 * <p>The real world can be run several times ({@code repeats}): each statistic is then compared with its median over
 * the real runs, and the spread of the real runs (max - min over the median) is reported beside it. That spread is the
 * real world's own run-to-run variation, the noise floor under which no simulation error can be read: on the shared
 * 2-vCPU machine of 2026-12-06 two real runs of the same 16-request experiment differed by 25-30% in mean TTFT.
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
     * @param realRuns    earlier real runs of the same experiment to compare with instead of running the model
     *                    again (several profiles against the same real runs), or empty
     * @param repeats     real runs to make when {@code realRuns} is empty (at least 1): {@code real/} for one,
     *                    {@code real-1/ .. real-N/} for more
     */
    public record Settings(Path experiment, List<String> overrides, Path model, String profile, Path out,
                           Path pluginsDir, List<Path> realRuns, int repeats) {
        public Settings {
            realRuns = List.copyOf(realRuns);
            if (repeats < 1) throw new IllegalArgumentException("repeats must be at least 1, was " + repeats);
        }

        /** One real run, made here. */
        public Settings(Path experiment, List<String> overrides, Path model, String profile, Path out, Path pluginsDir) {
            this(experiment, overrides, model, profile, out, pluginsDir, List.of(), 1);
        }
    }

    /**
     * Relative error of one statistic: (simulated - real) / real, where {@code real} is the median of the statistic
     * over the real runs and {@code realMin}, {@code realMax} its extremes (all three equal for one run).
     */
    public record MetricError(String metric, String statistic, double real, double simulated, double realMin,
                              double realMax) {
        public double relative() {
            return (simulated - real) / real;
        }

        /** (max - min) / median of the statistic over the real runs: 0 for one run. */
        public double realSpread() {
            return (realMax - realMin) / real;
        }
    }

    /**
     * @param realDirs         the model executor's runs
     * @param simulatedDir     the simulation's run
     * @param real             the first real run's summary (the runs serve the same requests)
     * @param errors           per metric and statistic, in report order
     * @param e2elErrors       per request present in both worlds: (simulated - real) / real of its E2EL, real being
     *                         the request's median E2EL over the real runs
     * @param e2elErrorStats   statistics of |e2elErrors|
     */
    public record Result(List<Path> realDirs, Path simulatedDir, Summary real, Summary simulated, List<MetricError> errors,
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
        if (s.realRuns().isEmpty()) requireSameModel(s.profile(), s.model());
        var realDirs = s.realRuns().isEmpty() ? runReal(s, progress) : s.realRuns();
        var realResults = new ArrayList<RunResults>();
        var realSummaries = new ArrayList<Summary>();
        for (var dir : realDirs) {
            var results = RunResults.load(dir);
            String partial = !java.nio.file.Files.exists(dir.resolve("run.json")) ? "it has no run.json"
                    : !results.isComplete() ? "its tables are a killed run's streams"
                    : results.runInfo().containsKey("recovered") ? "it was put together after a kill (run.json: recovered)"
                    : results.runInfo().containsKey("aborted") ? "it stopped early (run.json: aborted)"
                    : !results.runInfo().containsKey("result") ? "run.json has no result: the run did not end"
                    : null;
            if (partial != null) { // its first requests against all the simulated ones measured the cut, not the model
                throw new IllegalArgumentException(dir + " is not a whole run: " + partial + "; give --real a run that "
                        + "ended");
            }
            if (results.runInfo().get("model") instanceof Map<?, ?> m && m.get("path") instanceof String path
                    && java.nio.file.Files.isRegularFile(Path.of(path))) {
                requireSameModel(s.profile(), Path.of(path)); // a moved model file leaves run.json's check to the user
            }
            realResults.add(results);
            realSummaries.add(Summary.compute(results, servelab.runtime.record.Slo.NONE));
        }
        var simOverrides = new ArrayList<>(s.overrides());
        simOverrides.add("executor=simulated");
        simOverrides.add("profile=" + s.profile());
        simOverrides.add("kv.blocks=" + kvBlocks(realResults.getFirst()));
        var simDir = s.out().resolve("simulated");
        var sim = ExperimentRunner.run(ExperimentFile.load(s.experiment(), simOverrides), simDir,
                new ExperimentRunner.Options(s.pluginsDir(), null, progress, null));
        var simResults = RunResults.load(simDir);
        for (var real : realResults) {
            var differences = differences(real.runInfo(), simResults.runInfo());
            if (!differences.isEmpty()) {
                throw new IllegalArgumentException(real.dir() + " is not a model run of this experiment: "
                        + String.join("; ", differences) + " (a comparison against it would measure the difference)");
            }
        }
        var e2el = perRequestE2elErrors(realResults, simResults);
        var abs = new double[e2el.length];
        for (int i = 0; i < abs.length; i++) abs[i] = Math.abs(e2el[i]);
        return new Result(List.copyOf(realDirs), simDir, realSummaries.getFirst(), sim.summary(),
                errors(realSummaries, sim.summary()), e2el, Stats.ofKnown(abs));
    }

    /**
     * Refuses a profile whose model is not {@code gguf}'s: the simulation would price another model's steps, and the
     * report showed errors of thousands of percent without saying why.
     */
    static void requireSameModel(String profile, Path gguf) throws IOException {
        var priced = servelab.runtime.exec.cost.CostModels.loadProfile(profile).model();
        Calibration.ModelShape real;
        try (var loaded = servelab.runtime.exec.LoadedModel.open(gguf)) {
            real = Calibrator.shape(loaded);
        }
        var differences = shapeDifferences(priced, real);
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("the profile " + profile + " describes another model than " + gguf + ": "
                    + String.join(", ", differences) + " (the simulation would price another model's steps; calibrate"
                    + " a profile on this model: servelab calibrate --model " + gguf + ")");
        }
    }

    /** The profile's model keys whose values differ from the GGUF's, as {@code key V where the model has W}. */
    static List<String> shapeDifferences(servelab.runtime.exec.cost.CostProfile.Model p, Calibration.ModelShape m) {
        var out = new ArrayList<String>();
        differ(out, "layers", p.layers(), m.layers());
        differ(out, "hidden_size", p.hiddenSize(), m.hiddenSize());
        differ(out, "attention_heads", p.attentionHeads(), m.attentionHeads());
        differ(out, "kv_heads", p.kvHeads(), m.kvHeads());
        differ(out, "head_dim", p.headDim(), m.headDim());
        differ(out, "intermediate_size", p.intermediateSize(), m.intermediateSize());
        differ(out, "vocab_size", p.vocabSize(), m.vocabSize());
        differ(out, "tied_embeddings", p.tiedEmbeddings(), m.tiedEmbeddings());
        differ(out, "weight_dtype", p.weightDtype().yamlName(), m.weightDtype());
        return out;
    }

    private static void differ(List<String> out, String key, Object profile, Object model) {
        if (!profile.equals(model)) out.add("model." + key + " " + profile + " where the model has " + model);
    }

    /** The warm-up run, then {@code repeats} measured real runs; their folders. */
    private static List<Path> runReal(Settings s, ExperimentRunner.Progress progress) throws IOException {
        var realOverrides = new ArrayList<>(s.overrides());
        realOverrides.add("executor=model");
        realOverrides.add("model.path=" + s.model());
        var warmup = new ArrayList<>(realOverrides);
        warmup.add("trace.transforms.first=" + WARMUP_REQUESTS);
        ExperimentRunner.run(ExperimentFile.load(s.experiment(), warmup), s.out().resolve("warmup"),
                new ExperimentRunner.Options(s.pluginsDir(), null, null, null));
        var dirs = new ArrayList<Path>();
        for (int k = 1; k <= s.repeats(); k++) {
            var dir = s.out().resolve(s.repeats() == 1 ? "real" : "real-" + k);
            ExperimentRunner.run(ExperimentFile.load(s.experiment(), realOverrides), dir,
                    new ExperimentRunner.Options(s.pluginsDir(), null, progress, null));
            dirs.add(dir);
        }
        return dirs;
    }

    /** Mean, p50, p90, p99 of TTFT, TPOT, ITL, E2EL, then request and output throughput; real: median over the runs. */
    static List<MetricError> errors(List<Summary> real, Summary sim) {
        var out = new ArrayList<MetricError>();
        stats(out, "TTFT", real, Summary::ttftMs, sim.ttftMs());
        stats(out, "TPOT", real, Summary::tpotMs, sim.tpotMs());
        stats(out, "ITL", real, Summary::itlMs, sim.itlMs());
        stats(out, "E2EL", real, Summary::e2elMs, sim.e2elMs());
        out.add(error("throughput", "requests/s", real, Summary::requestThroughput, sim.requestThroughput()));
        out.add(error("throughput", "output tokens/s", real, Summary::outputThroughput, sim.outputThroughput()));
        return List.copyOf(out);
    }

    private static void stats(List<MetricError> out, String metric, List<Summary> real, Function<Summary, Stats> stats,
                              Stats sim) {
        out.add(error(metric, "mean", real, r -> stats.apply(r).mean(), sim.mean()));
        out.add(error(metric, "p50", real, r -> stats.apply(r).median(), sim.median()));
        out.add(error(metric, "p90", real, r -> stats.apply(r).p90(), sim.p90()));
        out.add(error(metric, "p99", real, r -> stats.apply(r).p99(), sim.p99()));
    }

    private static MetricError error(String metric, String statistic, List<Summary> real,
                                     ToDoubleFunction<Summary> value, double sim) {
        double[] values = real.stream().mapToDouble(value).sorted().toArray();
        return new MetricError(metric, statistic, median(values), sim, values[0], values[values.length - 1]);
    }

    /**
     * What makes {@code real} another experiment than the simulation of {@code sim}: not a model run, or another
     * trace, seed, replica count or plugins (a simulated run, or one of another trace, was compared as the "real" one
     * and reported 0.0% or meaningless errors). Empty when they match.
     */
    static List<String> differences(Map<String, Object> real, Map<String, Object> sim) {
        var out = new ArrayList<String>();
        if (!(real.get("model") instanceof Map<?, ?>)) {
            out.add("it ran on " + real.getOrDefault("backend", "an unknown executor") + ", not on a model");
        }
        for (var key : List.of("seed", "replicas", "plugins")) {
            if (!java.util.Objects.equals(real.get(key), sim.get(key))) {
                out.add(key + " " + real.get(key) + " where the experiment has " + sim.get(key));
            }
        }
        var realTrace = traceIdentity(real.get("trace"));
        var simTrace = traceIdentity(sim.get("trace"));
        if (!realTrace.equals(simTrace)) out.add("trace " + realTrace + " where the experiment has " + simTrace);
        return out;
    }

    /** The trace's identity in run.json: the file's digest, or the synthetic spec, and the transforms. */
    private static Map<String, Object> traceIdentity(Object trace) {
        var id = new java.util.TreeMap<String, Object>();
        if (trace instanceof Map<?, ?> t) {
            for (var key : List.of("sha256", "synthetic", "transforms")) if (t.containsKey(key)) id.put(key, t.get(key));
        }
        return id;
    }

    /** Median of sorted values (the mean of the middle two for an even count). */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static int kvBlocks(RunResults real) {
        if (real.runInfo().get("kv") instanceof Map<?, ?> kv && kv.get("blocks") instanceof Number n) return n.intValue();
        throw new IllegalStateException(real.dir() + "/run.json lacks kv.blocks");
    }

    /**
     * Per request id with a known E2EL in the simulation and in every real run: (sim - real) / real, real being the
     * request's median E2EL over the real runs, in the first real run's order.
     */
    static double[] perRequestE2elErrors(List<RunResults> real, RunResults sim) {
        var simById = e2elById(sim);
        var realById = real.stream().map(Validation::e2elById).toList();
        var out = new ArrayList<Double>();
        for (long id : real.getFirst().requests().longs("request_id")) {
            Double s = simById.get(id);
            double[] values = realById.stream().map(m -> m.get(id)).filter(v -> v != null && !Double.isNaN(v) && v > 0)
                    .mapToDouble(Double::doubleValue).sorted().toArray();
            if (s == null || Double.isNaN(s) || values.length < real.size()) continue;
            double r = median(values);
            out.add((s - r) / r);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static Map<Long, Double> e2elById(RunResults run) {
        var byId = new HashMap<Long, Double>();
        long[] ids = run.requests().longs("request_id");
        double[] e2el = run.requests().doubles("e2el_ms");
        for (int i = 0; i < ids.length; i++) byId.put(ids[i], e2el[i]);
        return byId;
    }
}

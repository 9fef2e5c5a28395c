package servelab.runtime.calibrate;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.exec.cost.MeasuredStep;
import servelab.runtime.exec.cost.TableFit;

/**
 * The second half of a calibration: steps as an engine runs them. A synthetic workload (its own seed, so no
 * validation trace is ever seen) is served by the real engine on the model executor, once per batcher (by default
 * {@link #BATCHERS}), and every step is recorded with its totals and the duration the engine's clock charged it:
 * exactly the figure a real run's latencies are made of and a simulation's cost model stands in for. A throw-away
 * run of the first {@value Validation#WARMUP_REQUESTS} requests goes first, as in {@link Validation}.
 *
 * <p>The workload is sized from the grid's fit: prompts of about a sixth of the context (at most half), outputs of
 * about 32 tokens, gamma arrivals (cv 2) at a rate that keeps the replica about 70% busy, and as many requests as
 * fill the time budget, at least 16 per batcher.
 */
public final class EngineSteps {
    /** Batchers the workload runs under by default: full prompts beside decodes, and token-budget chunks. */
    public static final List<String> BATCHERS = List.of("continuous", "chunked-prefill");
    static final int MIN_REQUESTS = 16;
    static final int MAX_REQUESTS = 2000;
    /** Share of the replica's time the arrivals ask for. */
    static final double LOAD = 0.7;

    private EngineSteps() {}

    /**
     * @param model       GGUF file
     * @param threads     kernel threads (0: one per processor)
     * @param backend     backend id
     * @param context     the model's context length
     * @param fit         the grid's fit, to size the workload
     * @param seconds     time to aim for, all batchers together
     * @param seed        the workload's seed
     * @param pluginsDir  plugin bundles (the batchers)
     * @param batchers    the workload runs once under each, with the default scheduler
     * @param work        folder for the runs' files: {@code warmup/} and one per batcher
     */
    public record Settings(Path model, int threads, String backend, int context, TableFit fit, double seconds,
                           long seed, Path pluginsDir, List<String> batchers, Path work) {
        public Settings {
            batchers = List.copyOf(batchers);
            if (batchers.isEmpty()) throw new IllegalArgumentException("batchers must name at least one batcher");
            if (!(seconds > 0)) throw new IllegalArgumentException("seconds must be > 0, was " + seconds);
        }
    }

    /** Every step of the measured runs, in run order, as a measured row. */
    public static List<MeasuredStep> measure(Settings s) throws IOException {
        var workload = workload(s);
        var base = new ArrayList<String>(workload);
        base.add("executor=model");
        base.add("model.path=" + s.model());
        base.add("model.threads=" + s.threads());
        base.add("model.backend=" + s.backend());
        var warmup = new ArrayList<>(base);
        warmup.add("trace.synthetic.count=" + Validation.WARMUP_REQUESTS);
        ExperimentRunner.run(ExperimentFile.load(null, warmup), s.work().resolve("warmup"),
                new ExperimentRunner.Options(s.pluginsDir(), null, null, null));
        var rows = new ArrayList<MeasuredStep>();
        for (var batcher : s.batchers()) {
            var overrides = new ArrayList<>(base);
            overrides.add("plugins.batcher.name=" + batcher);
            overrides.add("model.warmup_s=0"); // the grid and the throw-away run have compiled everything
            ExperimentRunner.run(ExperimentFile.load(null, overrides), s.work().resolve(batcher),
                    new ExperimentRunner.Options(s.pluginsDir(), null, null, (replica, end) -> {
                        var step = replica.lastStep();
                        int prefill = step.prefillTokens(), decode = step.decodeTokens();
                        if (prefill + decode == 0) return; // only swaps: no forward pass, no table row
                        rows.add(new MeasuredStep(prefill, decode, step.size(), step.prefillAttentionPairs(),
                                step.decodeContextTokens(), replica.lastStepNanos() / 1e6));
                    }));
        }
        return rows;
    }

    /** Trace overrides: lengths from the context, rate and count from the fit and the budget. */
    static List<String> workload(Settings s) {
        int inputMax = Math.max(16, s.context() / 2);
        int inputMean = Math.max(8, s.context() / 6);
        int outputMax = Math.max(4, Math.min(128, s.context() / 4));
        int outputMean = Math.min(32, outputMax / 2);
        // one request's busy time: its prefill alone, then its decodes in batches of about 8 at mid context
        int mid = inputMean + outputMean / 2;
        double prefillNs = s.fit().predictNanos(inputMean, 0, 1, (long) inputMean * (inputMean + 1) / 2, 0);
        double decodeNs = s.fit().predictNanos(0, 8, 8, 0, 8L * mid) / 8;
        double requestS = (prefillNs + outputMean * decodeNs) / 1e9;
        double rate = LOAD / requestS;
        int count = (int) Math.clamp(Math.round(s.seconds() / s.batchers().size() * rate), MIN_REQUESTS, MAX_REQUESTS);
        return List.of("seed=" + s.seed(), "name=calibrate-engine",
                "trace.synthetic.count=" + count,
                "trace.synthetic.arrivals.process=gamma",
                "trace.synthetic.arrivals.rate=" + String.format(Locale.ROOT, "%.4g", rate),
                "trace.synthetic.arrivals.cv=2",
                "trace.synthetic.input.dist=lognormal", "trace.synthetic.input.mean=" + inputMean,
                "trace.synthetic.input.sigma=0.8", "trace.synthetic.input.min=8", "trace.synthetic.input.max=" + inputMax,
                "trace.synthetic.output.dist=lognormal", "trace.synthetic.output.mean=" + outputMean,
                "trace.synthetic.output.sigma=0.7", "trace.synthetic.output.min=2",
                "trace.synthetic.output.max=" + outputMax);
    }
}

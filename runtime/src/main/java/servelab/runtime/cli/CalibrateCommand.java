package servelab.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.calibrate.Calibration;
import servelab.runtime.calibrate.Calibrator;
import servelab.runtime.calibrate.EngineFit;
import servelab.runtime.calibrate.EngineSteps;
import servelab.runtime.calibrate.ProfileWriter;
import servelab.runtime.calibrate.VidurProfiles;
import servelab.runtime.exec.Backend;
import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.install.VectorModule;

/** {@code servelab calibrate}: a measured cost profile from the model executor (or from Vidur's GPU profiles). */
@Command(name = "calibrate", mixinStandardHelpOptions = true,
        description = {"Measure the model executor over a designed grid of steps (prefill chunks, decode batches,",
                "context lengths, mixed steps; repeated rounds, medians, warm-up excluded) and write a cost profile",
                "(NAME.yaml with provenance, NAME-steps.csv) whose simulation reproduces it; prints the fit's error",
                "on held-out grid points. About five minutes by default; --quick for a smoke run.",
                "With --vidur DIR, compose the table from Vidur's profiling CSVs (mlp.csv, attention.csv) instead.",
                "Example: servelab calibrate --model tiny.gguf --threads 2 --out profiles/tiny-cpu.yaml"})
final class CalibrateCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE.gguf", description = "the GGUF Llama model to measure")
    Path model;

    @Option(names = "--generate", paramLabel = "tiny|small",
            description = "first write a random-weight model to --model: tiny (2 layers, width 64, as demo --real) or"
                    + " small (about 100 M parameters: 12 layers of width 768, FFN 2560, Q8_0)")
    String generate;

    @Option(names = "--backend", paramLabel = "cpu-vector|cpu-packed|cpu-reference|tornadovm|tornadovm-matmul", defaultValue = "cpu-vector",
            description = "kernels of the forward pass (default ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0", description = "kernel threads (default: one per processor)")
    int threads;

    @Option(names = "--quick", description = "a small grid and a 20 s budget, for tests and smoke runs")
    boolean quick;

    @Option(names = "--seconds", paramLabel = "S", description = "measuring time to aim for (default 300, --quick 20)")
    Double seconds;

    @Option(names = "--block-size", paramLabel = "TOKENS", defaultValue = "16", description = "KV block size (default ${DEFAULT-VALUE})")
    int blockSize;

    @Option(names = "--seed", defaultValue = "1", description = "order of the steps within rounds (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--vidur", paramLabel = "DIR", description = "Vidur's data/profiling/compute/<gpu>/<model> folder")
    Path vidur;

    @Option(names = "--base", paramLabel = "PROFILE", description = "with --vidur: the profile giving shapes, KV and swap "
            + "(bundled name, or a path relative to --out's folder)")
    String base;

    @Option(names = "--engine-seconds", paramLabel = "S", description = "after the grid, serve a calibration workload on "
            + "the engine for about S seconds and fit the per-step overhead the grid misses (default 0: none; on a "
            + "~100M model the fitted overhead did not carry over to another workload, see the profiles README)")
    double engineSeconds;

    @picocli.CommandLine.Mixin PluginsDirOption pluginsDir;

    @Option(names = "--out", required = true, paramLabel = "NAME.yaml", description = "profile to write (NAME-steps.csv beside it)")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var stdout = spec.commandLine().getOut();
        if (vidur != null) return importVidur(stdout);
        if (model == null) throw new ParameterException(spec.commandLine(), "--model FILE.gguf is required (or --vidur DIR)");
        VectorModule.ensure(); // measuring the kernels; before anything is written
        if (generate != null) generateModel();
        var settings = new Calibrator.Settings(model, Backend.fromId(backend), threads, quick,
                seconds != null ? seconds : quick ? 20 : 300, blockSize, seed);
        Calibration c;
        try (var progress = Progress.counter("calibrate", "steps")) {
            c = Calibrator.run(settings, progress::update);
        }
        var engine = engineFit(c);
        var written = ProfileWriter.write(c, engine, out);
        var loaded = CostModels.load(written.yaml().toString()); // what a simulation will read, checked now
        stdout.printf(Locale.ROOT, "calibrated %s: %d steps x %d rounds, median spread %.1f%%%n", c.model(),
                c.rows().size(), c.rounds(), 100 * c.spread());
        double[] planes = c.heldOutError(false);
        stdout.printf(Locale.ROOT, "held-out error (%d of %d steps, fit to the others): rms %.1f%%, max %.1f%%"
                        + " (the planes alone, without the token-count factors: rms %.1f%%, max %.1f%%)%n",
                c.heldOutRows(), c.rows().size(), 100 * c.heldOutRms(), 100 * c.heldOutMax(), 100 * planes[0],
                100 * planes[1]);
        stdout.printf("fit to all steps: %s%n", c.fullFit().summary());
        stdout.printf(Locale.ROOT, "KV pool %d blocks of %d tokens; block copy %.0f ns%n", c.poolBlocks(), c.blockSize(),
                c.copyNanosPerBlock());
        if (engine != null) {
            stdout.printf(Locale.ROOT, "engine steps: %d; median step %.3f x the table's prediction, %.3f x with the "
                            + "overhead %s; the table predicts %.1f%% of their busy time, %.1f%% with the overhead%n",
                    engine.rows().size(), engine.medianRatio(), engine.withOverheadMedianRatio(),
                    engine.overhead().summary(), 100 * engine.tableShare(), 100 * engine.withOverheadShare());
        }
        stdout.printf("wrote %s and %s (%s)%n", written.yaml(), written.csv(), loaded.describe());
        stdout.flush();
        return 0;
    }

    /** The engine phase ({@link EngineSteps}), or null when --engine-seconds is 0. */
    private EngineFit engineFit(Calibration c) throws java.io.IOException {
        double budget = engineSeconds;
        if (budget < 0) throw new ParameterException(spec.commandLine(), "--engine-seconds must be >= 0, was " + budget);
        if (budget == 0) return null;
        var work = Files.createTempDirectory("servelab-calibrate-engine");
        try {
            System.err.println("servelab calibrate: serving a calibration workload on the engine (about "
                    + Math.round(budget) + " s)...");
            var rows = EngineSteps.measure(new EngineSteps.Settings(model, threads, backend, c.shape().contextLength(),
                    c.fullFit(), budget, seed + 1000, pluginsDir.resolve(), EngineSteps.BATCHERS, work));
            return EngineFit.of(rows, c.fullFit());
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            for (var p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The model {@code --generate NAME} writes, or null for a name it does not know. */
    static RandomLlama.Spec generatedSpec(String name) {
        return switch (name) {
            case "tiny" -> RandomLlama.Spec.tiny(WeightFormat.Q8_0);
            case "small" -> new RandomLlama.Spec(768, 12, 12, 4, 2560, 2048, WeightFormat.Q8_0, false, true);
            default -> null;
        };
    }

    private void generateModel() throws java.io.IOException {
        var spec = generatedSpec(generate);
        if (spec == null) {
            throw new ParameterException(this.spec.commandLine(), "--generate must be tiny or small, was '" + generate + "'");
        }
        if (model.toAbsolutePath().getParent() != null) Files.createDirectories(model.toAbsolutePath().getParent());
        if (!Files.exists(model)) {
            RandomLlama.write(model, spec, 42);
            return;
        }
        // a file there is kept when it is this very model (a repeated calibration), and refused otherwise: a real
        // GGUF named by mistake was overwritten with random weights
        var fresh = Files.createTempFile(model.toAbsolutePath().getParent(), ".generated-", ".gguf");
        try {
            RandomLlama.write(fresh, spec, 42);
            if (Files.mismatch(fresh, model) != -1) {
                throw new ParameterException(this.spec.commandLine(), "--generate " + generate + ": " + model
                        + " exists and is not the model it writes; remove it, or give --model another path");
            }
        } finally {
            Files.deleteIfExists(fresh);
        }
    }

    private int importVidur(java.io.PrintWriter stdout) throws Exception {
        if (base == null) throw new ParameterException(spec.commandLine(), "--vidur needs --base PROFILE (shapes, KV, swap)");
        var baseProfile = CostModels.loadProfile(base.contains("/") && Files.exists(out.resolveSibling(base))
                ? out.resolveSibling(base).toString() : base);
        int layers = baseProfile.model().layers();
        int tp = baseProfile.hardware().devices();
        var imported = VidurProfiles.read(vidur, layers, tp);
        var written = VidurProfiles.writeProfile(imported, vidur, base, layers, tp, out);
        var loaded = CostModels.load(written.yaml().toString());
        stdout.printf("imported %d steps (%d attention rows skipped) from %s; wrote %s and %s (%s)%n",
                imported.rows().size(), imported.skipped(), vidur, written.yaml(), written.csv(), loaded.describe());
        stdout.flush();
        return 0;
    }
}

package servelab.runtime.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.experiment.ExecutorKind;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.install.VectorModule;

/** {@code servelab run}: one experiment, in simulation or on a model, to a folder of Arrow results. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Replay a trace against a set of plugins, in simulation or on a real model (--model), and",
                "write Arrow results (requests.arrow, iterations.arrow, events.arrow, cluster.arrow, run.json,",
                "summary.json; outputs.jsonl with the generated tokens on a model) to a run folder.",
                "While it runs, jars copied into the plugins directory are deployed, and a newer version of a",
                "selected plugin takes over at the next iteration; `servelab ctl --run DIR switch ...` switches",
                "a slot to another installed plugin.",
                "Example: servelab run experiment.yaml --set plugins.scheduler.name=sjf --set seed=7"})
final class RunCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "EXPERIMENT.yaml",
            description = "experiment file (omitted: all defaults: 600 synthetic requests, Poisson at 6 req/s, no SLO)")
    Path experimentFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", converter = KeyValueConverter.class,
            description = "override a key of the experiment, e.g. --set plugins.batcher.params.max_num_seqs=128")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--slo", converter = servelab.runtime.cli.SloText.class, paramLabel = "ttft=MS,tpot=MS,e2el=MS",
            description = "service-level objectives in ms for goodput and slo_met (like vllm bench serve's "
                    + "--goodput), e.g. --slo ttft=1000,tpot=60")
    String slo;

    @Option(names = "--executor", paramLabel = "simulated|model|emulated",
            description = "simulated (cost model on a virtual clock; default), model (a real GGUF Llama model run "
                    + "by the Java kernels, steps timed on the wall clock) or emulated (the cost model paced on the "
                    + "wall clock); same as --set executor=...", converter = ExecutorName.class)
    String executor;

    /** --executor's three values, a usage error otherwise (exit 2). */
    static final class ExecutorName implements picocli.CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!java.util.List.of("simulated", "model", "emulated").contains(value)) {
                throw new picocli.CommandLine.TypeConversionException("expected simulated, model or emulated, was '"
                        + servelab.runtime.host.Printable.of(value) + "'");
            }
            return value;
        }
    }

    @Option(names = "--model", paramLabel = "FILE.gguf",
            description = "the model executor's GGUF Llama file (implies --executor model); sampling and backend "
                    + "via --set model.temperature=0.8, model.top_p=0.95, model.threads=2, model.backend=cpu-vector")
    Path model;

    @Option(names = "--out", paramLabel = "DIR", description = "run folder (default: the experiment's output, "
            + "else runs/NAME-TIMESTAMP)")
    Path out;

    @Option(names = "--quiet", description = "no progress output")
    boolean quiet;

    @Option(names = "--allow-failures", description = "exit 0 even when requests failed (by default a run with a "
            + "failed request exits 3, after writing every result)")
    boolean allowFailures;

    /** Refuses a {@code --set key=...} that a flag sets to another value ({@code value} null: no flag set it). */
    private void refuseConflict(String key, String value, String flag) {
        if (value == null) return;
        for (var o : overrides) {
            int eq = o.indexOf('=');
            if (eq > 0 && o.substring(0, eq).strip().equals(key) && !same(key, o.substring(eq + 1).strip(), value)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--set " + o + " and " + flag
                        + " disagree (leave one out)");
            }
        }
    }

    /** Paths compare as the files they name ({@code ./m.gguf} is {@code m.gguf}), other values as text. */
    private static boolean same(String key, String a, String b) {
        if (!key.equals("model.path")) return a.equals(b);
        try {
            return servelab.runtime.experiment.CallerDir.resolve(Path.of(a)).normalize()
                    .equals(servelab.runtime.experiment.CallerDir.resolve(Path.of(b)).normalize());
        } catch (java.nio.file.InvalidPathException e) {
            return a.equals(b);
        }
    }

    /** Exit code of a run that finished and wrote its results, but in which some requests failed. */
    static final int FAILED_REQUESTS = 3;

    @Mixin PluginsDirOption pluginsDir;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var all = new ArrayList<>(overrides);
        if (slo != null) {
            var parsed = servelab.runtime.record.Slo.parse(slo);
            parsed.ttftMs().ifPresent(v -> all.add("slo.ttft_ms=" + v));
            parsed.tpotMs().ifPresent(v -> all.add("slo.tpot_ms=" + v));
            parsed.e2elMs().ifPresent(v -> all.add("slo.e2el_ms=" + v));
        }
        // a --set of the same key was overridden by the flag without a word
        refuseConflict("executor", executor != null ? executor : model != null ? "model" : null,
                executor != null ? "--executor " + executor : "--model");
        refuseConflict("model.path", model == null ? null : model.toString(), "--model " + model);
        if (model != null) {
            if (executor != null && !executor.equals("model")) { // it ran the cost model, the GGUF unused
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--model runs a GGUF on the model "
                        + "executor; with --executor " + executor + " it would not be used (leave one out)");
            }
            all.add("model.path=" + model);
            if (executor == null) executor = "model";
        }
        if (executor != null) all.add("executor=" + executor);
        var experiment = ExperimentFile.load(experimentFile, all);
        if (experiment.executor() == ExecutorKind.MODEL) VectorModule.ensure(); // before anything is written
        if (experiment.executor() != ExecutorKind.MODEL && experiment.model().path() != null) {
            // a model: section in a simulated run was ignored without a word (and run.json has no model section)
            spec.commandLine().getErr().println("servelab run: note: model.path is set but the executor is "
                    + experiment.executor().id() + ": the model is not used (executor: model, or --model, runs it)");
        }
        var runDir = out != null ? out : experiment.output() != null ? Path.of(experiment.output())
                : DefaultFolders.of("runs", experiment.name() + "-");
        var stdout = spec.commandLine().getOut();
        // Ctrl-C (exit 130) or a TERM (143) stops the run where it is: say what the folder holds and how to close it
        var err = spec.commandLine().getErr();
        var interrupted = SignalNotice.install(spec.qualifiedName(), runDir, err);
        try (var progress = quiet ? Progress.silent() : Progress.forTerminal("run " + experiment.name())) {
            ExperimentRunner.Result result;
            try {
                result = ExperimentRunner.run(experiment, runDir,
                        new ExperimentRunner.Options(pluginsDir.resolve(), null, progress::update, null));
            } catch (RuntimeException | java.io.IOException | Error e) {
                if (out == null && experiment.output() == null) DefaultFolders.discardIfEmpty(runDir); // made above
                throw e;
            } finally {
                interrupted.close();
            }
            progress.close();
            stdout.println(result.summary().format());
            switch (experiment.executor()) {
                case MODEL -> stdout.printf("Ran %.1f s of trace time on the model in %.2f s of wall time (%,d "
                                + "iterations, idle gaps skipped); results in %s, generated text in outputs.jsonl%n",
                        result.simulatedNanos() / 1e9, result.wallNanos() / 1e9, result.iterations(), result.runDir());
                case EMULATED -> stdout.printf("Emulated %.1f s of trace time on the wall clock in %.2f s (%,d "
                                + "iterations, idle gaps skipped); results in %s%n",
                        result.simulatedNanos() / 1e9, result.wallNanos() / 1e9, result.iterations(), result.runDir());
                case SIMULATED -> stdout.printf("Simulated %.1f s in %.2f s of wall time (%,d iterations); results in "
                                + "%s%n",
                        result.simulatedNanos() / 1e9, result.wallNanos() / 1e9, result.iterations(), result.runDir());
            }
            stdout.flush();
            // summary.json says whether it was overloaded (computed once, with the summary); the words only then
            var written = servelab.runtime.record.Json.MAPPER.readTree(result.runDir().resolve("summary.json").toFile());
            if (written.path("overloaded").asBoolean(false)) {
                servelab.runtime.report.LoadTrend.compute(result.runDir())
                        .ifPresent(t -> err.println(spec.qualifiedName() + ": warning: " + t.warning()));
            }
            if (result.summary().failed() > 0 && !allowFailures) {
                err.printf("%s: %,d of %,d requests failed (their error column in requests.arrow says why); "
                        + "--allow-failures exits 0 anyway%n", spec.qualifiedName(), result.summary().failed(),
                        result.requests());
                err.flush();
                return FAILED_REQUESTS;
            }
        }
        return 0;
    }
}

package servelab.runtime.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.calibrate.Validation;
import servelab.runtime.calibrate.ValidationReport;

/** {@code servelab validate}: the simulation's error against the model executor on one experiment. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Run one experiment (trace, plugins, seed) on the model executor and in simulation with a",
                "calibrated profile, and report per metric (TTFT, TPOT, ITL, E2EL: mean, p50, p90, p99;",
                "throughput) the relative error (simulated - real) / real, the per-request E2EL error",
                "distribution (with --repeats N: against the median of N real runs, with their spread),",
                "and sim-vs-real CDFs: validation.md, validation.html, validation.json, PNG charts.",
                "Example: servelab validate exp.yaml --model tiny.gguf --profile profiles/tiny-cpu.yaml --out val"})
final class ValidateCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "EXPERIMENT.yaml", description = "experiment file (omitted: defaults)")
    Path experimentFile;

    @Option(names = "--model", paramLabel = "FILE.gguf", description = "the real run's GGUF model (or --real)")
    Path model;

    @Option(names = "--profile", required = true, paramLabel = "PROFILE",
            description = "the simulation's profile: a file from servelab calibrate, or a bundled name")
    String profile;

    @Option(names = "--real", paramLabel = "RUN_DIR", description = "compare with this earlier real run of the same "
            + "experiment instead of running the model again (to validate several profiles against the same real "
            + "runs); repeat for several runs")
    List<Path> realRuns = new ArrayList<>();

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "1", description = "real runs to make (default 1): "
            + "each statistic is compared with its median over them, and their spread is reported as the noise floor")
    int repeats;

    @Option(names = "--set", paramLabel = "KEY=VALUE", converter = KeyValueConverter.class, description = "override a key of the experiment in both runs")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "folder for warmup/ (an untimed real run of a few "
            + "requests, kept for inspection), real/ (real-1/, ... with --repeats), simulated/ and the report "
            + "(default validations/NAME-TIMESTAMP)")
    Path out;

    @Mixin PluginsDirOption pluginsDir;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var folder = out != null ? out : DefaultFolders.of("validations", "validation-");
        if (model == null && realRuns.isEmpty()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--model FILE.gguf or --real RUN_DIR is required");
        }
        if (repeats < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--repeats must be at least 1, was " + repeats);
        }
        Validation.Result result;
        try (var progress = Progress.forTerminal("validate")) {
            result = Validation.run(new Validation.Settings(experimentFile, overrides, model, profile, folder,
                    pluginsDir.resolve(), realRuns, repeats), progress::update);
        }
        var written = ValidationReport.write(result, profile, folder);
        var stdout = spec.commandLine().getOut();
        boolean repeated = result.realDirs().size() > 1;
        stdout.printf("%-10s %-16s %12s %12s %9s%s%n", "metric", "statistic", repeated ? "real median" : "real",
                "simulated", "error", repeated ? "  real spread" : "");
        for (var e : result.errors()) {
            stdout.printf(Locale.ROOT, "%-10s %-16s %12.3f %12.3f %+8.1f%%%s%n", e.metric(), e.statistic(), e.real(),
                    e.simulated(), 100 * e.relative(),
                    repeated ? String.format(Locale.ROOT, "  %10.1f%%", 100 * e.realSpread()) : "");
        }
        if (result.real().failed() != result.simulated().failed()) {
            stdout.printf("warning: %d requests failed in the real run, %d in simulation (the model refuses requests "
                    + "longer than its context): the runs did not serve the same work%n", result.real().failed(),
                    result.simulated().failed());
        }
        var s = result.e2elErrorStats();
        stdout.printf(Locale.ROOT, "per-request E2EL |error| (%d requests): mean %.1f%%, p50 %.1f%%, p90 %.1f%%, "
                        + "p99 %.1f%%; within 10%%: %.0f%%%n", s.count(), 100 * s.mean(), 100 * s.median(),
                100 * s.p90(), 100 * s.p99(), 100 * result.fractionWithin(0.10));
        stdout.printf("report: %s and %s (%d charts), figures in %s%n", written.markdown(), written.html(),
                written.charts().size(), written.json());
        stdout.flush();
        return 0;
    }
}

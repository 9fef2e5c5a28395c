package servelab.runtime.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.record.Slo;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.runs.RunReport;

/** {@code servelab report}: a Markdown and HTML report with charts comparing run folders. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Compare run folders in a report: report.md and report.html with tables (plugins and their",
                "parameters, throughput, goodput, TTFT/TPOT/ITL/E2EL mean, p50 and p99, prefix hit rate,",
                "preemptions, acceptance rate) and PNG charts (latency CDFs, latency over time with plugin swaps",
                "marked, KV blocks in use, batch size and tokens per iteration).",
                "Example: servelab report runs/demo/fcfs+continuous runs/demo/sjf+continuous --out reports/demo",
                "Given one sweep folder (servelab sweep), it charts the metrics along the sweep's axes (lines, bars,",
                "a heatmap) and the Pareto front of goodput against replica-seconds."})
final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "run folders (from servelab run, demo or import), or one sweep folder")
    List<Path> runDirs;

    @Option(names = "--out", paramLabel = "DIR", description = "report folder (default reports/report-TIMESTAMP)")
    Path out;

    @Option(names = "--slo", converter = servelab.runtime.cli.SloText.class, paramLabel = "ttft=MS,tpot=MS,e2el=MS",
            description = "objectives for every run's goodput (default: each run's own, from its run.json)")
    String slo;

    @Option(names = "--window", paramLabel = "START,END",
            description = "tables over [START, END) seconds of each run's clock: latencies of the requests that "
                    + "arrived in it, throughput of what completed in it; leaves out the empty start and the drain "
                    + "(default: the whole run)")
    String window;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var objectives = slo == null ? Optional.<Slo>empty() : Optional.of(Slo.parse(slo));
        servelab.runtime.report.Window arrivals;
        try {
            arrivals = window == null ? servelab.runtime.report.Window.ALL : servelab.runtime.report.Window.parse(window);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        var folder = out != null ? out
                : DefaultFolders.of("reports", "report-");
        if (runDirs.size() == 1 && servelab.runtime.report.sweep.SweepResults.isSweep(runDirs.getFirst())) {
            if (window != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--window is for run folders: a "
                        + "sweep report's figures are each point's summary.json, over all its requests");
            }
            return sweepReport(folder);
        }
        var seen = new java.util.HashSet<Path>();
        for (var dir : runDirs) { // two rows of one run, named alike, read as a comparison
            if (!seen.add(dir.toAbsolutePath().normalize())) throw new IllegalArgumentException(dir + " is given twice");
        }
        var runs = NamedRun.loadWithoutLists(runDirs, RunReport.ITERATION_COLUMNS); // the summary reads the lists itself
        var err = spec.commandLine().getErr();
        // a killed run, another workload, other SLOs: said here as well as in the report
        for (var note : RunReport.notes(runs, objectives)) err.println("servelab report: " + note.replace("`", ""));
        err.flush();
        var written = RunReport.write(runs, folder, objectives, arrivals);
        var stdout = spec.commandLine().getOut();
        stdout.printf("report of %d run%s: %s%n      and %s (%d charts)%n", runDirs.size(), runDirs.size() == 1 ? "" : "s",
                written.markdown(), written.html(), written.charts().size());
        stdout.flush();
        return 0;
    }

    /** A sweep folder (from servelab sweep): charts over its axes and the Pareto front of goodput against cost. */
    private int sweepReport(Path folder) throws java.io.IOException {
        var sweep = servelab.runtime.report.sweep.SweepResults.load(runDirs.getFirst());
        var written = servelab.runtime.report.sweep.SweepReport.write(sweep, folder);
        var stdout = spec.commandLine().getOut();
        stdout.printf("report of sweep %s (%d points): %s%n      and %s (%d charts)%n", sweep.id(), sweep.size(),
                written.markdown(), written.html(), written.charts().size());
        stdout.flush();
        return 0;
    }
}

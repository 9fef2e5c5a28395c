package servelab.sweep.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import servelab.runtime.install.VectorModule;
import servelab.sweep.SweepFile;
import servelab.sweep.SweepPlan;
import servelab.sweep.SweepProgress;
import servelab.sweep.SweepRunner;

/** {@code servelab sweep}: many experiments over a grid of experiment keys, on an embedded Hazelcast cluster. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run every point of a sweep (a base experiment and axes of --set keys: a grid or a seeded",
                "sample, with constraints) on an embedded Hazelcast member using this machine's cores, and on the",
                "members of `servelab worker` it joins. Each point's results land in DIR/points/ID (ID hashes the",
                "resolved experiment and the trace's SHA-256); DIR/sweep.arrow has one row per point. Rerunning",
                "skips complete points, so an interrupted sweep continues where it stopped.",
                "Example: servelab sweep sweep.yaml --out sweeps/schedulers   (then: servelab report sweeps/schedulers)"})
public final class SweepCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SWEEP.yaml", description = "the sweep file: base, set, axes, sample, constraints")
    Path sweepFile;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "the sweep folder (reused to resume)")
    Path out;

    @Option(names = "--quiet", description = "no progress output")
    boolean quiet;

    @Mixin MemberFlags member;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var plan = SweepPlan.of(SweepFile.load(sweepFile));
        plan.file().sample().filter(s -> s.count() >= plan.candidates()).ifPresent(s -> spec.commandLine().getErr()
                .printf("servelab sweep: sample count %d is not below the %d points the axes and constraints leave:"
                        + " running them all%n", s.count(), plan.candidates()));
        if (plan.realModel()) VectorModule.ensure(); // before anything is written
        var options = member.options();
        try (var testbed = servelab.runtime.host.Testbed.start(options.pluginsDir(),
                (servelab.runtime.host.HostListener) (t, k, f, to, d) -> {})) {
            plan.checkPlugins(testbed.registry()); // before anything runs: a bad parameter axis failed every point
        }
        SweepRunner.Outcome outcome;
        try {
            outcome = SweepRunner.run(plan, out, options, null, SweepProgress.forTerminal("sweep " + plan.id(), quiet));
        } catch (InterruptedException stopped) {
            return 130; // Ctrl-C or SIGTERM: the runner said what is on disk
        }
        var stdout = spec.commandLine().getOut();
        int missing = Math.max(0, outcome.total() - outcome.skipped() - outcome.ran());
        stdout.printf("sweep %s: %d points; ran %d (%d failed%s), skipped %d already complete%s; results in %s%n",
                plan.id(), outcome.total(), outcome.ran(), outcome.failed(),
                outcome.reran() > 0 ? ", " + outcome.reran() + " started again (a member left, or joined and took over"
                        + " the partition of a running point)" : "",
                outcome.skipped(), missing > 0 ? ", " + missing + " missing (the same command runs them)" : "",
                out.resolve("sweep.arrow"));
        stdout.flush();
        // a point that is not complete is not a success: points lost with a member exited 0
        return outcome.failed() == 0 && missing == 0 ? 0 : 3;
    }
}

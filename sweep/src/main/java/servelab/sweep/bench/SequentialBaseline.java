package servelab.sweep.bench;

import java.nio.file.Files;
import java.nio.file.Path;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.HostListener;
import servelab.runtime.host.Testbed;
import servelab.sweep.SweepFile;
import servelab.sweep.SweepPlan;

/**
 * The sweep benchmark's baselines (runtime/benchmarks/README.md): every point of a sweep file run one after another
 * with {@code ExperimentRunner.run} in this JVM, no cluster, and the sum of their wall times, twice: each point in a
 * testbed of its own (as separate {@code servelab run}s would, less the JVM start), then all in one testbed (as a
 * sweep member runs them). The distribution layer's overhead is a sweep's wall time against the second sum (divided
 * by the threads it had); the first says what keeping the testbed saves.
 *
 * <p>{@code java -cp ... servelab.sweep.bench.SequentialBaseline SWEEP.yaml PLUGINS_DIR SCRATCH_DIR}
 */
public final class SequentialBaseline {
    private SequentialBaseline() {}

    public static void main(String[] args) throws Exception {
        var plan = SweepPlan.of(SweepFile.load(Path.of(args[0])));
        var plugins = Path.of(args[1]);
        var scratch = Path.of(args[2]);
        var base = plan.file().baseFile();
        if (base == null) {
            base = Files.createTempFile("baseline-", ".yaml");
            Files.writeString(base, plan.file().baseYaml());
        }
        double fresh = sum(plan, base, plugins, scratch, null);
        double shared;
        try (var testbed = Testbed.start(plugins, (HostListener) (type, kind, from, to, detail) -> {})) {
            shared = sum(plan, base, plugins, scratch, testbed);
        }
        int n = plan.points().size();
        System.out.printf("{\"points\": %d, \"sum_single_run_s\": %.1f, \"points_per_min\": %.1f, "
                + "\"sum_single_run_shared_testbed_s\": %.1f, \"points_per_min_shared_testbed\": %.1f}%n",
                n, fresh, n / fresh * 60, shared, n / shared * 60);
    }

    /** Seconds of wall time for every point, run one after another, each in {@code testbed} (null: its own). */
    private static double sum(SweepPlan plan, Path base, Path plugins, Path scratch, Testbed testbed) throws Exception {
        double seconds = 0;
        for (var point : plan.points()) {
            long t = System.nanoTime();
            ExperimentRunner.run(ExperimentFile.load(base, point.overrides()), scratch.resolve(point.id()),
                    new ExperimentRunner.Options(plugins, (a, b, c, d, e) -> {}, null, null, testbed));
            seconds += (System.nanoTime() - t) / 1e9;
            servelab.sweep.PointFiles.delete(scratch.resolve(point.id()));
        }
        return seconds;
    }
}

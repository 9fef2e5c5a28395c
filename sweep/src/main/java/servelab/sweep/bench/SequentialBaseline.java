package servelab.sweep.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.sweep.SweepFile;
import servelab.sweep.SweepPlan;

/**
 * The sweep benchmark's baseline (runtime/benchmarks/README.md): every point of a sweep file run one after another
 * with {@code ExperimentRunner.run} in this JVM, no cluster, and the sum of their wall times. The distribution
 * layer's overhead is a sweep's wall time against this sum (divided by the threads it had).
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
        var times = new ArrayList<Double>();
        long start = System.nanoTime();
        for (var point : plan.points()) {
            long t = System.nanoTime();
            ExperimentRunner.run(ExperimentFile.load(base, point.overrides()), scratch.resolve(point.id()),
                    new ExperimentRunner.Options(plugins, (a, b, c, d, e) -> {}, null, null));
            times.add((System.nanoTime() - t) / 1e9);
            servelab.sweep.PointFiles.delete(scratch.resolve(point.id()));
        }
        double sum = times.stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf("{\"points\": %d, \"sum_single_run_s\": %.1f, \"wall_s\": %.1f, \"points_per_min\": %.1f}%n",
                times.size(), sum, (System.nanoTime() - start) / 1e9, times.size() / sum * 60);
    }
}

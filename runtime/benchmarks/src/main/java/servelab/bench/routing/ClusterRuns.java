package servelab.bench.routing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.record.Json;

/** Runs cluster experiments for the routing effects report and reads back what each one's summary says. */
final class ClusterRuns {
    /** One finished run: its label, its summary.json, and the wall time it took. */
    record Result(String label, Map<String, Object> summary, double wallS, Path runDir) {
        double number(String key) {
            var v = summary.get(key);
            return v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
    }

    private final Path plugins;
    private final Path work;
    private final List<Double> littleRatios = new ArrayList<>();
    private final List<String> littleRuns = new ArrayList<>();
    private int count;

    ClusterRuns(Path plugins, Path work) {
        this.plugins = plugins;
        this.work = work;
    }

    Result run(String label, List<String> overrides) throws IOException {
        var dir = work.resolve(String.format("%03d-", count++) + label.replaceAll("[^A-Za-z0-9]+", "-"));
        long start = System.nanoTime();
        var r = ExperimentRunner.run(ExperimentFile.load(null, overrides), dir,
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = Json.MAPPER.readValue(Files.readString(r.runDir().resolve("summary.json")), Map.class);
        var result = new Result(label, summary, (System.nanoTime() - start) / 1e9, r.runDir());
        littleRatios.add(result.number("little_ratio"));
        littleRuns.add(label);
        System.err.printf("routing effects: %-50s %6.1f s wall, little %.4f%n", label, result.wallS(),
                result.number("little_ratio"));
        return result;
    }

    List<Double> littleRatios() {
        return littleRatios;
    }

    List<String> littleRuns() {
        return littleRuns;
    }
}

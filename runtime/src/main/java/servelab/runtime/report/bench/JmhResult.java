package servelab.runtime.report.bench;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One benchmark's primary result from JMH's JSON ({@code -rf json}).
 *
 * @param benchmark full name, {@code package.Class.method}
 * @param mode      {@code thrpt}, {@code avgt}, {@code sample}, {@code ss} (JMH's short names)
 * @param params    the {@code @Param} values it ran with, by name
 * @param score     the primary metric's score
 * @param error     half-width of its 99.9% confidence interval ({@code scoreError}); NaN when JMH could not
 *                  compute one (a single measurement)
 * @param unit      e.g. {@code ms/op}, {@code ops/s}
 */
public record JmhResult(String benchmark, String mode, SortedMap<String, String> params, double score, double error,
                        String unit) {

    public JmhResult {
        Objects.requireNonNull(benchmark, "JmhResult.benchmark");
        Objects.requireNonNull(mode, "JmhResult.mode");
        params = new TreeMap<>(params);
        Objects.requireNonNull(unit, "JmhResult.unit");
    }

    /** The benchmark class's simple name, e.g. {@code SimulationBenchmark}: the table a report puts it in. */
    public String suite() {
        String[] parts = benchmark.split("\\.");
        return parts.length >= 2 ? parts[parts.length - 2] : benchmark;
    }

    /** The benchmark method, e.g. {@code replay}. */
    public String method() {
        return benchmark.substring(benchmark.lastIndexOf('.') + 1);
    }

    /** Parameters as {@code key=value, ...}, or "" for none. */
    public String paramText() {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** What identifies the same measurement in another result file: benchmark, mode and parameters. */
    public String key() {
        return benchmark + " " + mode + " " + params;
    }

    /** Whether a higher score is better: throughput modes; time modes (avgt, sample, ss) are better lower. */
    public boolean higherIsBetter() {
        return mode.equals("thrpt");
    }

    static JmhResult of(String benchmark, String mode, Map<String, String> params, double score, double error,
                        String unit) {
        return new JmhResult(benchmark, mode, new TreeMap<>(params), score, error, unit);
    }
}

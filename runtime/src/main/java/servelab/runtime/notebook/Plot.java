package servelab.runtime.notebook;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.internal.chartpart.IChart;

import servelab.runtime.report.bench.JmhResult;
import servelab.runtime.report.chart.Bars;
import servelab.runtime.report.chart.Charts;
import servelab.runtime.report.chart.Line;
import servelab.runtime.report.chart.Png;
import servelab.runtime.report.runs.RunCharts;

/**
 * Charts for notebooks, as images a Java kernel shows when a cell ends with one. They are the charts of
 * {@code servelab report} (same code, same look); {@link #image} shows any other XChart chart.
 *
 * {@snippet :
 * Plot.cdf(runs, "ttft_ms")            // CDF of TTFT across runs
 * Plot.overTime(runs, "e2el_ms")       // median and p90 per time bin, plugin swaps marked
 * Plot.kvBlocks(runs)                  // KV blocks in use over time
 * }
 */
public final class Plot {

    private Plot() {
    }

    /** The CDF of a requests latency column ({@code ttft_ms}, {@code tpot_ms}, {@code e2el_ms}, ...) across runs. */
    public static BufferedImage cdf(Runs runs, String column) {
        String name = title(column);
        return image(RunCharts.cdf(runs.list(), column, name + " (CDF)", axis(column)));
    }

    /** A requests latency column by arrival time: median and p90 per time bin, swaps marked. */
    public static BufferedImage overTime(Runs runs, String column) {
        return image(RunCharts.latencyOverTime(runs.list(), column, title(column) + " by arrival time, median and p90",
                axis(column)));
    }

    /** KV blocks in use over time. */
    public static BufferedImage kvBlocks(Runs runs) {
        return image(RunCharts.kvBlocks(runs.list()));
    }

    /** Sequences per iteration over time. */
    public static BufferedImage batchSize(Runs runs) {
        return image(RunCharts.batchSize(runs.list()));
    }

    /** Prefill plus decode tokens per iteration over time. */
    public static BufferedImage tokensPerIteration(Runs runs) {
        return image(RunCharts.tokensPerIteration(runs.list()));
    }

    /** XY lines: {@code series} maps a legend entry to {x values, y values}. */
    public static BufferedImage lines(String title, String xAxisTitle, String yAxisTitle, Map<String, double[][]> series) {
        var lines = new ArrayList<Line>();
        int color = 0;
        for (var e : series.entrySet()) lines.add(Line.of(e.getKey(), e.getValue()[0], e.getValue()[1], color++));
        return image(Charts.lines(title, xAxisTitle, yAxisTitle, lines));
    }

    /** JMH results as bars with their 99.9% error, one bar per benchmark and parameter set. */
    public static BufferedImage bench(String title, List<JmhResult> results) {
        var units = results.stream().map(JmhResult::unit).distinct().toList();
        if (units.size() != 1) throw new IllegalArgumentException("results in one chart need one unit, found " + units);
        var categories = results.stream()
                .map(r -> r.method() + (r.params().isEmpty() ? "" : " " + String.join(",", r.params().values()))).toList();
        var values = results.stream().mapToDouble(JmhResult::score).toArray();
        var errors = results.stream().mapToDouble(JmhResult::error).toArray();
        return image(Charts.bars(title, units.getFirst(), categories, List.of(new Bars("score", values, errors))));
    }

    /** Any XChart chart as an image. */
    public static BufferedImage image(IChart chart) {
        return Png.image(chart);
    }

    private static String title(String column) {
        return RunCharts.latencyColumns().getOrDefault(column, column);
    }

    private static String axis(String column) {
        return column.endsWith("_ms") ? column.substring(0, column.length() - 3).toUpperCase(java.util.Locale.ROOT) + " (ms)" : column;
    }
}

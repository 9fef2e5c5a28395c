package servelab.runtime.report.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.IChart;

import servelab.runtime.report.chart.Bars;
import servelab.runtime.report.chart.Charts;
import servelab.runtime.report.chart.Line;

/**
 * Charts over a sweep's axes: a metric along one axis (lines over a numeric axis, bars over names), one series per
 * value of another axis, averaged over the rest (seeds, typically); a heatmap over two axes; the Pareto front.
 */
public final class SweepCharts {
    private SweepCharts() {}

    /** The metric along {@code axis}, a series per value of {@code seriesAxis} (or one series), mean over the rest. */
    public static IChart along(SweepResults sweep, String metric, String axis, String seriesAxis) {
        var xs = sortedValues(sweep, axis);
        var groups = seriesAxis == null ? List.of("all") : sweep.distinct(seriesAxis);
        var values = sweep.doubles(metric);
        var x = sweep.strings(axis);
        var s = seriesAxis == null ? null : sweep.strings(seriesAxis);
        var means = new LinkedHashMap<String, double[]>();
        var sds = new LinkedHashMap<String, double[]>();
        // bars get error bars where only seeds are averaged: the spread of one configuration over its seeds
        boolean seedsOnly = sweep.axes().stream().filter(a -> !a.equals(axis) && !a.equals(seriesAxis)).toList()
                .equals(List.of("seed"));
        for (var g : groups) {
            var m = new double[xs.size()];
            var sd = new double[xs.size()];
            for (int i = 0; i < xs.size(); i++) {
                m[i] = mean(values, x, xs.get(i), s, g);
                if (seedsOnly) sd[i] = sd(values, x, xs.get(i), s, g, m[i]);
            }
            means.put(seriesAxis == null ? metric : seriesAxis + "=" + g, m);
            sds.put(seriesAxis == null ? metric : seriesAxis + "=" + g, sd);
        }
        boolean numeric = sweep.isNumeric(axis);
        // the note on averaging goes with the metric on the y axis: in the title, it made it wider than the chart
        String title = metric + " by " + axis + (seriesAxis == null ? "" : ", a " + (numeric ? "line" : "bar") + " per "
                + seriesAxis);
        String yTitle = metric + (seedsOnly && !numeric ? " (mean ± sd over seeds)" : meanOver(sweep, axis, seriesAxis));
        if (!numeric) {
            var bars = means.entrySet().stream().map(e -> new Bars(e.getKey(), e.getValue(), sds.get(e.getKey()))).toList();
            var chart = Charts.bars(title, yTitle, xs, bars);
            chart.getStyler().setYAxisDecimalPattern("#,##0.####"); // a lone tick printed 1.697141669813197
            return chart;
        }
        var xValues = xs.stream().mapToDouble(Double::parseDouble).toArray();
        var lines = new ArrayList<Line>();
        int color = 0;
        for (var e : means.entrySet()) lines.add(Line.of(e.getKey(), xValues, e.getValue(), color++));
        return Charts.lines(title, axis, yTitle, lines);
    }

    /** The metric's mean over every other axis, for each pair of values of two axes. */
    public static HeatMapChart heatmap(SweepResults sweep, String metric, String xAxis, String yAxis) {
        var xs = sortedValues(sweep, xAxis);
        var ys = sortedValues(sweep, yAxis);
        // the axes name themselves: a title naming both was wider than the chart and cut at its start
        var chart = new HeatMapChartBuilder().width(Charts.WIDTH).height(Charts.HEIGHT)
                .title(metric + meanOver(sweep, xAxis, yAxis)).xAxisTitle(xAxis).yAxisTitle(yAxis).build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setHeatMapValueDecimalPattern("#,##0.###"); // 0.301, not .301
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        var values = sweep.doubles(metric);
        var x = sweep.strings(xAxis);
        var y = sweep.strings(yAxis);
        var cells = new ArrayList<Number[]>();
        for (int i = 0; i < xs.size(); i++) {
            for (int j = 0; j < ys.size(); j++) {
                double sum = 0;
                int n = 0;
                for (int r = 0; r < values.length; r++) {
                    if (x.get(r).equals(xs.get(i)) && y.get(r).equals(ys.get(j)) && !Double.isNaN(values[r])) {
                        sum += values[r];
                        n++;
                    }
                }
                if (n > 0) cells.add(new Number[] {i, j, Math.round(sum / n * 1000) / 1000.0});
            }
        }
        chart.addSeries(metric, xs, ys, cells);
        return chart;
    }

    /** " (mean over the other axes)" when the sweep has axes other than those shown, else "": nothing is averaged. */
    static String meanOver(SweepResults sweep, String shown, String alsoShown) {
        boolean others = sweep.axes().stream().anyMatch(a -> !a.equals(shown) && !a.equals(alsoShown));
        return others ? " (mean over the other axes)" : "";
    }

    /**
     * Every point (one per seed) as goodput against replica-seconds, each configuration's mean over its seeds, and the
     * Pareto front of those means joined by a line.
     */
    public static XYChart pareto(SweepResults sweep, String goodput) {
        String costColumn = sweep.costColumn();
        var chart = Charts.lines("Pareto front: " + goodput + " against cost", costColumn.equals("device_seconds")
                ? "device-seconds (time each replica served x its devices, summed)"
                : "replica-seconds (time each replica served, summed)", goodput, List.of()); // series added here
        chart.getStyler().setLegendVisible(true);
        var benefit = sweep.doubles(goodput);
        var cost = sweep.doubles(costColumn);
        var ok = java.util.stream.IntStream.range(0, benefit.length)
                .filter(i -> !Double.isNaN(benefit[i]) && !Double.isNaN(cost[i])).toArray();
        if (ok.length == 0) return chart;
        var configurations = Configurations.of(sweep);
        boolean seeds = configurations.mostSeeds() > 1;
        var all = chart.addSeries(seeds ? "points (one per seed)" : "points",
                java.util.Arrays.stream(ok).mapToDouble(i -> cost[i]).toArray(),
                java.util.Arrays.stream(ok).mapToDouble(i -> benefit[i]).toArray());
        all.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        var meanBenefit = configurations.means(goodput);
        var meanCost = configurations.means(costColumn);
        if (seeds) {
            var shown = java.util.stream.IntStream.range(0, meanBenefit.length)
                    .filter(c -> !Double.isNaN(meanBenefit[c]) && !Double.isNaN(meanCost[c])).toArray();
            var means = chart.addSeries("configurations (mean over seeds)",
                    java.util.Arrays.stream(shown).mapToDouble(c -> meanCost[c]).toArray(),
                    java.util.Arrays.stream(shown).mapToDouble(c -> meanBenefit[c]).toArray());
            means.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        var front = Pareto.front(meanBenefit, meanCost);
        var line = chart.addSeries("Pareto front", front.stream().mapToDouble(c -> meanCost[c]).toArray(),
                front.stream().mapToDouble(c -> meanBenefit[c]).toArray());
        line.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        return chart;
    }

    /** Axes with more than one value, the seed axis last (it is what the means average over first). */
    public static List<String> varyingAxes(SweepResults sweep) {
        var list = new ArrayList<String>();
        for (var a : sweep.axes()) if (sweep.distinct(a).size() > 1 && !a.equals("seed")) list.add(a);
        return list;
    }

    private static List<String> sortedValues(SweepResults sweep, String axis) {
        var values = new ArrayList<>(sweep.distinct(axis));
        if (sweep.isNumeric(axis)) values.sort(java.util.Comparator.comparingDouble(Double::parseDouble));
        return values;
    }

    /** The sample standard deviation of the values {@link #mean} averages (0 under two: no bar to draw). */
    private static double sd(double[] values, List<String> x, String xv, List<String> s, String sv, double mean) {
        double squares = 0;
        int n = 0;
        for (int r = 0; r < values.length; r++) {
            if (x.get(r).equals(xv) && (s == null || s.get(r).equals(sv)) && !Double.isNaN(values[r])) {
                squares += (values[r] - mean) * (values[r] - mean);
                n++;
            }
        }
        return n < 2 ? 0 : Math.sqrt(squares / (n - 1));
    }

    private static double mean(double[] values, List<String> x, String xv, List<String> s, String sv) {
        double sum = 0;
        int n = 0;
        for (int r = 0; r < values.length; r++) {
            if (x.get(r).equals(xv) && (s == null || s.get(r).equals(sv)) && !Double.isNaN(values[r])) {
                sum += values[r];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

}

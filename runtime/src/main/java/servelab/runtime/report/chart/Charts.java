package servelab.runtime.report.chart;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The charts of reports and notebooks, built with XChart and styled alike ({@link ChartStyle}). Every chart has a
 * title, axis titles with units, and a legend. Render them with {@link Png}.
 *
 * {@snippet :
 * var chart = Charts.cdf("Time to first token", "TTFT (ms)", Map.of("fcfs", ttftFcfs, "sjf", ttftSjf));
 * Png.write(chart, Path.of("cdf-ttft.png"));
 * }
 */
public final class Charts {
    /** Default size in pixels. */
    public static final int WIDTH = 900;
    public static final int HEIGHT = 480;

    /** A CDF drawn through at most this many points (quantiles), so a million requests draw as fast as a hundred. */
    static final int CDF_POINTS = 1000;
    /** Solid lines with at most this many points get a marker on each. */
    static final int FEW_POINTS = 12;

    private Charts() {
    }

    /**
     * Empirical CDFs, one line per entry of {@code valuesBySeries} (NaN values left out): x is the value, y the
     * fraction of values at or below it. The x axis is logarithmic when the values are positive and span more than
     * two decades, and the axis title says so.
     */
    public static XYChart cdf(String title, String xAxisTitle, Map<String, double[]> valuesBySeries) {
        return cdf(title, xAxisTitle, "fraction of values ≤ x", valuesBySeries);
    }

    /**
     * As {@link #cdf(String, String, Map)}, the y axis titled {@code yAxisTitle}; a series some of whose values are
     * NaN is named with both counts, {@code (n=482 of 800)}: its line reaches 1 over the values it has.
     */
    public static XYChart cdf(String title, String xAxisTitle, String yAxisTitle, Map<String, double[]> valuesBySeries) {
        var sorted = new ArrayList<double[]>();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double[] values : valuesBySeries.values()) {
            double[] known = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
            sorted.add(known);
            if (known.length > 0) {
                min = Math.min(min, known[0]);
                max = Math.max(max, known[known.length - 1]);
            }
        }
        boolean log = min > 0 && max / min > 100;
        var chart = xyChart(title, log ? xAxisTitle + ", log scale" : xAxisTitle, yAxisTitle);
        chart.getStyler().setXAxisLogarithmic(log);
        if (log) chart.getStyler().setXAxisDecimalPattern("#,##0.##"); // 10,000 rather than 1E4
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(1.0);
        if (Double.isFinite(min)) yAxisGuide(chart, min);
        var lines = new ArrayList<Line>();
        int i = 0;
        for (var entry : valuesBySeries.entrySet()) {
            String name = entry.getKey();
            double[] known = sorted.get(i);
            int all = entry.getValue().length;
            if (known.length > 0) {
                var points = cdfPoints(known);
                lines.add(Line.of(name + " (n=" + known.length + (known.length < all ? " of " + all : "") + ")",
                        points[0], points[1], i));
            }
            i++;
        }
        var names = new HashSet<String>();
        for (var line : mergeIdentical(lines)) add(chart, line, names);
        placeLegend(chart, names);
        return chart;
    }

    /**
     * An invisible first series at heights 0, ¼ and 1. XChart (4.0) takes a y axis whose distinct values, in the
     * order the series give them, are equally spaced for categories and labels them one by one: a single CDF's
     * heights 1/n, 2/n, ... are, and 456 requests got 32 labels of 15 digits (0.0307017543859649, ...). With these
     * three heights first (at {@code x}, a value of the data, so a logarithmic axis keeps its range), the values are
     * not, and the axis gets ordinary ticks.
     */
    private static void yAxisGuide(XYChart chart, double x) {
        var guide = chart.addSeries(" ", new double[] {x, x, x}, new double[] {0, 0.25, 1});
        guide.setMarker(SeriesMarkers.NONE);
        guide.setLineStyle(org.knowm.xchart.style.lines.SeriesLines.NONE);
        guide.setShowInLegend(false);
    }

    /** x = sorted values (at most {@link #CDF_POINTS} of them, evenly spaced in rank), y = rank / n. */
    static double[][] cdfPoints(double[] sorted) {
        int n = sorted.length;
        int points = Math.min(n, CDF_POINTS);
        var x = new double[points];
        var y = new double[points];
        for (int k = 0; k < points; k++) {
            int rank = points == n ? k : (int) Math.round((double) k * (n - 1) / (points - 1));
            x[k] = sorted[rank];
            y[k] = (rank + 1) / (double) n;
        }
        return new double[][] {x, y};
    }

    /**
     * Lines over a time axis (seconds on the run clock), with {@code markers} as labelled vertical lines: plugin
     * swaps, numbered in time order, each with its own glyph and dash so that two swaps close together (or one in
     * each of two runs) can be told apart in the legend; faults, their ends and scaling decisions each with a dash
     * of their kind, in their run's colour. The y axis starts at 0.
     */
    public static XYChart overTime(String title, String yAxisTitle, List<Line> lines, List<Marker> markers) {
        var chart = xyChart(title, "run time (s)", yAxisTitle);
        var names = new HashSet<String>();
        for (var line : mergeIdentical(lines)) add(chart, line, names);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setXAxisMin(0.0); // ticks at round seconds, not at the first bin's centre
        double top = 0;
        for (var line : lines) for (double y : line.y()) if (Double.isFinite(y)) top = Math.max(top, y);
        top = top > 0 ? top * 1.05 : 1;
        var inOrder = markers.stream().sorted(java.util.Comparator.comparingDouble(Marker::x)).toList();
        int swaps = 0;
        for (var m : inOrder) {
            if (m.kind() != Marker.Kind.SWAP) { // faults and fleet events: a dash per kind, their label as is
                var series = chart.addSeries(unique(m.label(), names), new double[] {m.x(), m.x()}, new double[] {0, top});
                series.setMarker(SeriesMarkers.NONE);
                series.setLineColor(ChartStyle.eventColor(m.kind(), m.run()));
                series.setLineStyle(ChartStyle.eventStroke(m.kind()));
                continue;
            }
            int k = swaps++;
            String at = String.format(java.util.Locale.ROOT, "%.3g", m.x());
            var series = chart.addSeries(unique("swap " + (k + 1) + " at " + at + " s: " + m.label(), names),
                    new double[] {m.x(), m.x()}, new double[] {0, top});
            series.setMarker(ChartStyle.markerShape(k));
            series.setMarkerColor(ChartStyle.MARKER);
            series.setLineColor(ChartStyle.MARKER);
            series.setLineStyle(ChartStyle.markerStroke(k));
        }
        placeLegend(chart, names);
        return chart;
    }

    /** Plain XY lines, e.g. a hit ratio over cache sizes. */
    public static XYChart lines(String title, String xAxisTitle, String yAxisTitle, List<Line> lines) {
        var chart = xyChart(title, xAxisTitle, yAxisTitle);
        var names = new HashSet<String>();
        for (var line : mergeIdentical(lines)) add(chart, line, names);
        placeLegend(chart, names);
        return chart;
    }

    /**
     * Grouped bars: one bar per category and group, with error bars where {@link Bars#errors()} has them.
     * {@code yAxisTitle} carries the unit.
     */
    public static CategoryChart bars(String title, String yAxisTitle, List<String> categories, List<Bars> groups) {
        var chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("")
                .yAxisTitle(yAxisTitle).build();
        ChartStyle.apply(chart.getStyler());
        int labelChars = categories.stream().mapToInt(String::length).sum() + 4 * categories.size();
        chart.getStyler().setXAxisLabelRotation(labelChars * 7 > WIDTH - 120 ? 25 : 0); // would overlap side by side
        chart.getStyler().setErrorBarsColorSeriesColor(false);
        chart.getStyler().setErrorBarsColor(ChartStyle.MARKER);
        for (var g : groups) {
            if (g.values().length != categories.size()) {
                throw new IllegalArgumentException("Bars '" + g.name() + "' has " + g.values().length + " values for "
                        + categories.size() + " categories");
            }
            var values = new ArrayList<Double>();
            var errors = new ArrayList<Double>();
            for (int i = 0; i < categories.size(); i++) {
                values.add(Double.isNaN(g.values()[i]) ? 0 : g.values()[i]);
                errors.add(Double.isFinite(g.errors()[i]) ? g.errors()[i] : 0);
            }
            chart.addSeries(g.name(), categories, values, errors);
        }
        return chart;
    }

    private static XYChart xyChart(String title, String xAxisTitle, String yAxisTitle) {
        var chart = new Growing(new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xAxisTitle)
                .yAxisTitle(yAxisTitle));
        ChartStyle.apply(chart.getStyler());
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        chart.getStyler().setMarkerSize(7);
        return chart;
    }

    private static void add(XYChart chart, Line line, Set<String> names) {
        if (line.x().length == 0) return; // XChart refuses empty series; nothing to draw anyway
        var series = chart.addSeries(unique(line.name(), names), line.x(), line.y());
        // a line through a handful of measurements shows them, so it does not pass for a measured curve
        series.setMarker(line.x().length <= FEW_POINTS && !line.dashed() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        series.setMarkerColor(ChartStyle.color(line.color()));
        series.setLineColor(ChartStyle.color(line.color()));
        series.setLineStyle(line.dashed() ? ChartStyle.DASHED : ChartStyle.SOLID);
    }

    /**
     * A legend below the plot while its entries fit on one line, else a column on the right, the chart as tall as
     * the column: XChart cuts a horizontal legend that is wider than the chart, and drops the entries of a column
     * taller than the chart (a report of 50 runs showed 23).
     */
    private static void placeLegend(XYChart chart, Set<String> names) {
        int chars = 0;
        for (var name : names) chars += name.length() + 6;
        boolean fitsBelow = chars * 7 < WIDTH - 40;
        chart.getStyler().setLegendPosition(fitsBelow ? Styler.LegendPosition.OutsideS : Styler.LegendPosition.OutsideE);
        chart.getStyler().setLegendLayout(fitsBelow ? Styler.LegendLayout.Horizontal : Styler.LegendLayout.Vertical);
        if (!fitsBelow && chart instanceof Growing g) g.growTo(legendColumnHeight(names.size()));
    }

    /** Pixels a chart needs for a legend column of {@code entries}: a row each, the title and the margins. */
    static int legendColumnHeight(int entries) {
        return LEGEND_ROW * entries + 90;
    }

    /** Height of one legend row: the 12-point legend font and XChart's padding between entries. */
    static final int LEGEND_ROW = 22;

    /** An XY chart that grows taller for its legend (XChart's height setter is protected). */
    static final class Growing extends XYChart {
        Growing(XYChartBuilder builder) {
            super(builder);
        }

        void growTo(int height) {
            if (height > getHeight()) setHeight(height);
        }
    }

    /**
     * Lines with the same points and dash drawn as one, named {@code a = b}: the later would hide the earlier
     * exactly (two policies that behave alike), and a legend naming one run only reads as if the other were missing.
     */
    static List<Line> mergeIdentical(List<Line> lines) {
        var kept = new ArrayList<Line>();
        var merged = new ArrayList<Integer>(); // lines each kept one stands for
        outer:
        for (var line : lines) {
            for (int k = 0; k < kept.size(); k++) {
                var same = kept.get(k);
                if (same.dashed() == line.dashed() && Arrays.equals(same.x(), line.x()) && Arrays.equals(same.y(), line.y())) {
                    int n = merged.get(k) + 1;
                    merged.set(k, n);
                    // a few names, then a count: a thousand idle replicas made a label of 12,000 characters, which
                    // XChart's legend measured for minutes
                    String name = n <= MERGED_NAMES ? same.name() + " = " + line.name()
                            : same.name().replaceFirst(" \\(and \\d+ more alike\\)$", "") + " (and " + (n - MERGED_NAMES)
                            + " more alike)";
                    kept.set(k, new Line(name, same.x(), same.y(), same.color(), same.dashed()));
                    continue outer;
                }
            }
            kept.add(line);
            merged.add(1);
        }
        return kept;
    }

    /** Names a merged legend entry lists before it counts the rest. */
    static final int MERGED_NAMES = 4;

    /** XChart needs unique series names; a repeated legend entry gets " (2)", " (3)", ... */
    private static String unique(String name, Set<String> names) {
        String candidate = name;
        for (int k = 2; !names.add(candidate); k++) candidate = name + " (" + k + ")";
        return candidate;
    }
}

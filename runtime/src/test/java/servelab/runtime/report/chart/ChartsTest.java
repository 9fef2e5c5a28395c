package servelab.runtime.report.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What a reader of a report chart can tell apart: runs whose lines coincide, and one swap from another. */
class ChartsTest {
    private static final double[] X = {1, 2, 3};

    @Test
    void identicalLinesAreOneSeriesNamingBothRuns() {
        var chart = Charts.lines("t", "x", "y", List.of(Line.of("fcfs", X, new double[] {1, 2, 3}, 0),
                Line.of("sjf", X, new double[] {1, 2, 4}, 1), Line.of("fcfs+no-chunking", X, new double[] {1, 2, 3}, 2)));
        assertEquals(List.of("fcfs = fcfs+no-chunking", "sjf"), names(chart));
        var cdf = Charts.cdf("t", "ms", Map.of("a", new double[] {3, 1, 2}));
        assertEquals(List.of("a (n=3)"), names(cdf));
    }

    @Test
    void aCdfOfRequestsSomeWithoutAValueSaysHowManyItCovers() {
        // two of five requests failed (no TTFT): the line reached 1 over three, and the axis said "of requests"
        var cdf = Charts.cdf("t", "ms", "fraction of completed requests ≤ x",
                Map.of("a", new double[] {3, Double.NaN, 1, Double.NaN, 2}));
        assertEquals(List.of("a (n=3 of 5)"), names(cdf));
        assertEquals("fraction of completed requests ≤ x", cdf.getYAxisTitle());
    }

    private static List<String> names(org.knowm.xchart.XYChart chart) {
        var names = new ArrayList<String>();
        for (var series : chart.getSeriesCollection()) if (series.isShowInLegend()) names.add(series.getName());
        return names;
    }

    @Test
    void swapMarkersAreNumberedInTimeOrderAndEachLooksDifferent() {
        var chart = Charts.overTime("t", "y", List.of(Line.of("run", X, X, 0)),
                List.of(new Marker(2.5, "scheduler fcfs -> sjf"), new Marker(1.25, "batcher a -> b")));
        assertEquals(List.of("run", "swap 1 at 1.25 s: batcher a -> b", "swap 2 at 2.50 s: scheduler fcfs -> sjf"),
                names(chart));
        var first = chart.getSeries("swap 1 at 1.25 s: batcher a -> b");
        var second = chart.getSeries("swap 2 at 2.50 s: scheduler fcfs -> sjf");
        assertNotEquals(first.getMarker(), second.getMarker());
        assertNotEquals(first.getLineStyle(), second.getLineStyle());
    }

    @Test
    void aFaultItsEndAndAScalingDecisionLookDifferentAndTakeTheirRunsColour() {
        // one run: each kind its own dash; faults red, scaling decisions another colour
        var one = Charts.overTime("t", "y", List.of(Line.of("run", X, X, 0)), List.of(
                new Marker(1, "crash r1", Marker.Kind.FAULT, -1), new Marker(2, "crash r1 ends", Marker.Kind.FAULT_END, -1),
                new Marker(3, "scale 1 -> 2", Marker.Kind.SCALE, -1)));
        var crash = one.getSeries("crash r1");
        var end = one.getSeries("crash r1 ends");
        var scale = one.getSeries("scale 1 -> 2");
        assertNotEquals(crash.getLineStyle(), end.getLineStyle());
        assertNotEquals(crash.getLineStyle(), scale.getLineStyle());
        assertNotEquals(end.getLineStyle(), scale.getLineStyle());
        assertNotEquals(crash.getLineColor(), scale.getLineColor());
        assertEquals(crash.getLineColor(), end.getLineColor());
        // two runs: each run's events in its lines' colour, so whose crash it was shows without the legend
        var two = Charts.overTime("t", "y", List.of(Line.of("a", X, X, 0), Line.of("b", X, X, 1)), List.of(
                new Marker(1, "a crash r1", Marker.Kind.FAULT, 0), new Marker(1, "b crash r1", Marker.Kind.FAULT, 1)));
        assertEquals(ChartStyle.color(0), two.getSeries("a crash r1").getLineColor());
        assertEquals(ChartStyle.color(1), two.getSeries("b crash r1").getLineColor());
    }

    @Test
    void aChartIsWrittenWholeOrNotAtAllAndAFailureNamesTheFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var chart = Charts.cdf("t", "ms", Map.of("a", new double[] {1, 2}));
        var file = dir.resolve("cdf.png");
        java.nio.file.Files.writeString(file, "an older chart");
        Png.write(chart, file);
        assertTrue(java.nio.file.Files.size(file) > 1000);
        assertEquals(List.of(file), java.nio.file.Files.list(dir).toList()); // no temporary file left
        // a failure (a full disk said "I/O error writing PNG file!", naming nothing) names the file and leaves nothing
        var missing = dir.resolve("gone/cdf.png");
        var e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> Png.write(chart, missing));
        assertEquals("cannot write " + missing + ": no such folder", e.getMessage());
        // the temporary name taken by a folder with something in it: the chart's error, not the clean-up's
        java.nio.file.Files.createDirectories(dir.resolve("busy.png.tmp/sub"));
        var busy = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Png.write(chart, dir.resolve("busy.png")));
        assertTrue(busy.getMessage().startsWith("cannot write " + dir.resolve("busy.png") + ": "), busy.getMessage());
        // a folder in the file's own place, named once
        java.nio.file.Files.createDirectories(dir.resolve("taken.png/sub"));
        var taken = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Png.write(chart, dir.resolve("taken.png")));
        assertEquals("cannot write " + dir.resolve("taken.png") + ": a folder of that name is in the way", taken.getMessage());
    }

    @Test
    void aThousandIdenticalLinesAreOneEntryWithACountNotAThousandNames() {
        // a 1,000-replica run's idle replicas made one label of 12,000 characters; XChart's legend took minutes on it
        var lines = new ArrayList<Line>();
        for (int r = 0; r < 1000; r++) lines.add(new Line("run r" + r, X, new double[] {0, 0, 0}, 0, r > 0));
        var merged = Charts.mergeIdentical(lines);
        assertEquals(2, merged.size()); // r0 solid, the rest dashed
        assertEquals("run r1 = run r2 = run r3 = run r4 (and 995 more alike)", merged.get(1).name());
    }

    @Test
    void aLongLegendMakesTheChartTallEnoughToListEveryRun() throws Exception {
        // given: 50 runs, as a report over a sweep's points draws them
        var values = new java.util.LinkedHashMap<String, double[]>();
        for (int i = 0; i < 50; i++) values.put("points/" + Long.toHexString(0x5a72_0000_0000L + 7919L * i), new double[] {i + 1, i + 2});
        var chart = Charts.cdf("t", "ms", values);
        // then: every run is in the legend column, and the chart is as tall as the column needs (it stayed 480 px
        // high and XChart dropped the entries below the 23rd)
        assertEquals(50, names(chart).size());
        assertEquals(Charts.legendColumnHeight(50), chart.getHeight());
        assertTrue(chart.getHeight() > Charts.HEIGHT);
        // and a short legend keeps the default size
        assertEquals(Charts.HEIGHT, Charts.cdf("t", "ms", Map.of("a", new double[] {1, 2})).getHeight());
    }

    @Test
    void aSingleCdfsYAxisIsNotTakenForCategories() {
        // XChart's rule (4.0, AxisTickCalculator_): the distinct y values of the series, in order, equally spaced
        // within 1e-4 make a category axis labelled value by value; one CDF's heights 1/n, 2/n, ... are
        for (int n : new int[] {2, 28, 153, 456, 1000}) {
            var chart = Charts.cdf("t", "ms", Map.of("a", java.util.stream.IntStream.range(1, n + 1).asDoubleStream().toArray()));
            var distinct = new java.util.LinkedHashSet<Double>();
            for (var series : chart.getSeriesCollection()) for (double y : series.getYData()) distinct.add(y);
            var y = distinct.stream().mapToDouble(Double::doubleValue).toArray();
            boolean equallySpaced = true;
            for (int i = 1; i < y.length; i++) equallySpaced &= Math.abs((y[i] - y[i - 1]) - (y[1] - y[0])) < 1e-4;
            assertTrue(!equallySpaced, "n " + n + ": " + java.util.Arrays.toString(y));
            assertEquals(List.of("a (n=" + n + ")"), names(chart), "the guide is not in the legend");
        }
    }
}

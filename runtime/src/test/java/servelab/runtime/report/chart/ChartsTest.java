package servelab.runtime.report.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

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

    private static List<String> names(org.knowm.xchart.XYChart chart) {
        var names = new ArrayList<String>();
        for (var series : chart.getSeriesCollection()) names.add(series.getName());
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
}

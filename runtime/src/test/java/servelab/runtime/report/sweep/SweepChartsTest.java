package servelab.runtime.report.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The sweep charts say what they show: an average only where axes are averaged over, values with their zero. */
class SweepChartsTest {

    /** A sweep over scheduler x max_num_seqs (and seeds when {@code seeds}), goodput made up per point. */
    private static SweepResults sweep(boolean seeds) {
        var columns = new LinkedHashMap<String, List<Object>>();
        var ids = new ArrayList<Object>();
        var scheduler = new ArrayList<Object>();
        var seqs = new ArrayList<Object>();
        var seed = new ArrayList<Object>();
        var goodput = new ArrayList<Object>();
        for (var s : List.of("fcfs", "sjf")) {
            for (long n : new long[] {8, 32}) {
                for (long k = 1; k <= (seeds ? 2 : 1); k++) {
                    ids.add(s + n + k);
                    scheduler.add(s);
                    seqs.add(n);
                    seed.add(k);
                    goodput.add(n / 100.0 + k / 1000.0);
                }
            }
        }
        columns.put("point_id", ids);
        columns.put("scheduler", scheduler);
        columns.put("max_num_seqs", seqs);
        if (seeds) columns.put("seed", seed);
        columns.put("request_goodput", goodput);
        var axes = seeds ? List.of("scheduler", "max_num_seqs", "seed") : List.of("scheduler", "max_num_seqs");
        return new SweepResults(Path.of("sweep"), "id", axes, columns);
    }

    @Test
    void aChartOverEveryAxisSaysNothingIsAveraged() {
        var two = sweep(false);
        assertEquals("request_goodput by scheduler, a bar per max_num_seqs",
                ((org.knowm.xchart.CategoryChart) SweepCharts.along(two, "request_goodput", "scheduler", "max_num_seqs")).getTitle());
        assertEquals("request_goodput", SweepCharts.heatmap(two, "request_goodput", "scheduler", "max_num_seqs").getTitle());
        var three = sweep(true);
        // the averaging note is on the metric's axis: in the title it was wider than the chart and cut off
        var along = (org.knowm.xchart.XYChart) SweepCharts.along(three, "request_goodput", "max_num_seqs", "scheduler");
        assertEquals("request_goodput by max_num_seqs, a line per scheduler", along.getTitle());
        assertEquals("request_goodput (mean over the other axes)", along.getYAxisTitle());
        var bars = (org.knowm.xchart.CategoryChart) SweepCharts.along(two, "request_goodput", "scheduler", "max_num_seqs");
        assertEquals("#,##0.####", bars.getStyler().getYAxisDecimalPattern()); // a lone tick had 16 digits
        var heatmap = SweepCharts.heatmap(three, "request_goodput", "scheduler", "max_num_seqs");
        assertEquals("request_goodput (mean over the other axes)", heatmap.getTitle());
        assertEquals("#,##0.###", heatmap.getStyler().getHeatMapValueDecimalPattern()); // 0.301, not .301
    }

    @Test
    void barsAveragedOverSeedsOnlyCarryTheirSpread() {
        // given: scheduler x max_num_seqs x seeds 1-2, goodput n/100 + seed/1000 (so 0.001 apart between seeds)
        var three = sweep(true);
        var bars = (org.knowm.xchart.CategoryChart) SweepCharts.along(three, "request_goodput", "scheduler", "max_num_seqs");
        // then: the axis says so, and each bar's error is the sample sd over its two seeds, 0.000707 (it was 0)
        assertEquals("request_goodput (mean ± sd over seeds)", bars.getYAxisTitle());
        var series = bars.getSeries("max_num_seqs=8");
        for (double error : series.getExtraValues()) assertEquals(Math.sqrt(2) / 2000, error, 1e-12);
        // and the Pareto chart shows each configuration's mean beside the points
        var pareto = SweepCharts.pareto(withCost(three), "request_goodput");
        assertEquals(List.of("points (one per seed)", "configurations (mean over seeds)", "Pareto front"),
                pareto.getSeriesCollection().stream().map(s -> s.getName()).toList());
    }

    private static SweepResults withCost(SweepResults sweep) {
        var columns = new LinkedHashMap<>(sweep.columns());
        columns.put("replica_seconds", java.util.Collections.nCopies(sweep.size(), (Object) 10.0));
        return new SweepResults(sweep.dir(), sweep.id(), sweep.axes(), columns);
    }
}

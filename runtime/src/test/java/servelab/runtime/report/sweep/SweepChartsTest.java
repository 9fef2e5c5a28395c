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
}

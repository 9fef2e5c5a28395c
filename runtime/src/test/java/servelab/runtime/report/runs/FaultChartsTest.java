package servelab.runtime.report.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;
import servelab.runtime.record.Slo;
import servelab.runtime.report.NamedRun;

/** servelab report charts goodput and failures over time, with a run's injected faults marked. */
class FaultChartsTest {
    @TempDir static Path work;
    static List<NamedRun> runs;

    @BeforeAll
    static void aRunWithACrashAndOneWithout() throws Exception {
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var base = List.of("seed=9", "replicas=2", "trace.synthetic.count=200", "trace.synthetic.arrivals.rate=10");
        var crash = new java.util.ArrayList<>(base);
        crash.add("faults=[{kind: crash, at_ms: 8000, replica: 1, warmup_ms: 3000}]");
        for (var entry : List.of(List.of("plain", base), List.of("crash", crash))) {
            @SuppressWarnings("unchecked") var overrides = (List<String>) entry.get(1);
            ExperimentRunner.run(ExperimentFile.load(null, overrides), work.resolve((String) entry.get(0)),
                    new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        }
        runs = NamedRun.load(List.of(work.resolve("plain"), work.resolve("crash")));
    }

    @Test
    void theCrashAndItsEndAreMarkedAndItsLostRequestsAreFailuresNearIt() {
        var chart = FaultCharts.goodputAndFailures(runs, List.of(Slo.NONE, Slo.NONE));
        var names = chart.getSeriesCollection().stream().map(s -> s.getName()).toList();
        assertTrue(names.contains("crash crash r1"), names.toString());
        assertTrue(names.contains("crash crash r1 ends"), names.toString());
        double crashAt = chart.getSeries("crash crash r1").getXData()[0];
        assertEquals(8.0, crashAt, 0.1);
        var failed = chart.getSeries("crash failed");
        double[] x = failed.getXData(), y = failed.getYData();
        double width = x[1] - x[0];
        double lost = 0;
        for (int b = 0; b < x.length; b++) lost += y[b] * width;
        long failedRows = runs.get(1).results().requests().strings("error").stream().filter(e -> !e.isEmpty()).count();
        assertEquals(failedRows, lost, 1e-6, "every failed request is counted once");
        assertTrue(failedRows > 0);
        for (var s : chart.getSeries("plain failed").getYData()) assertEquals(0.0, s);
        // every request of the plain run is goodput without an SLO
        double good = 0;
        for (var v : chart.getSeries("plain goodput").getYData()) good += v * width;
        assertEquals(200, good, 1e-6);
    }

    @Test
    void theReportDrawsTheChartOnlyWhenARunHadFaults() throws Exception {
        assertFalse(FaultCharts.anyFaults(runs.subList(0, 1)));
        var with = RunReport.write(runs, work.resolve("report"), Optional.empty());
        assertTrue(with.charts().contains(work.resolve("report/goodput-failures.png")));
        assertTrue(Files.readString(with.markdown()).contains("goodput-failures.png"));
        // and a report of the runs loaded as servelab report loads them (no lists, few iteration columns) is the same
        var lean = RunReport.write(NamedRun.loadWithoutLists(List.of(work.resolve("plain"), work.resolve("crash")),
                RunReport.ITERATION_COLUMNS), work.resolve("report-lean"), Optional.empty());
        assertEquals(java.nio.file.Files.readString(with.markdown()), java.nio.file.Files.readString(lean.markdown()));
        var without = RunReport.write(runs.subList(0, 1), work.resolve("report-plain"), Optional.empty());
        assertFalse(without.charts().contains(work.resolve("report-plain/goodput-failures.png")));
    }

    @Test
    void aClampedScalingDecisionIsLabelledWithWhatTheFleetDid() {
        // the row's to_value is the ask (8 in a fleet of at most 4): the label said "scale 1 -> 8"
        assertEquals("scale 1 -> 4 (asked 8)",
                FaultCharts.scaleLabel("1", "8", "target-queue@1.0.0: clamped to 4; start r1, start r2, start r3"));
        assertEquals("scale 2 -> 3", FaultCharts.scaleLabel("2", "3", "target-queue@1.0.0: start r2"));
    }
}

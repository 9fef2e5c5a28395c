package servelab.runtime.report.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The sweep report's tables: configurations (the points of one setting but the seed) with their spread. */
class SweepReportTest {

    /** fcfs and sjf over seeds 1-3: goodput and cost per point as given, p99 made up. */
    private static SweepResults sweep(double[] goodput, double[] cost) {
        var columns = new LinkedHashMap<String, List<Object>>();
        var ids = new ArrayList<Object>();
        var scheduler = new ArrayList<Object>();
        var seed = new ArrayList<Object>();
        var g = new ArrayList<Object>();
        var c = new ArrayList<Object>();
        var p99 = new ArrayList<Object>();
        var throughput = new ArrayList<Object>();
        int i = 0;
        for (var s : List.of("fcfs", "sjf")) {
            for (long k = 1; k <= 3; k++, i++) {
                ids.add(s + k);
                scheduler.add(s);
                seed.add(k);
                g.add(goodput[i]);
                c.add(cost[i]);
                p99.add(100.0 * k);
                throughput.add(goodput[i]);
            }
        }
        columns.put("point_id", ids);
        columns.put("scheduler", scheduler);
        columns.put("seed", seed);
        columns.put("request_goodput", g);
        columns.put("replica_seconds", c);
        columns.put("p99_ttft_ms", p99);
        columns.put("request_throughput", throughput);
        return new SweepResults(Path.of("sweep"), "id", List.of("scheduler", "seed"), columns);
    }

    @Test
    void theFrontIsTakenOverConfigurationsAtTheirMeansNotOverSingleSeeds() {
        // given: sjf's seed 1 drained a hair faster than anything, and fcfs's seed 3 was the best point (the front
        // over points named those two draws), while over their three seeds sjf is cheaper and fcfs better
        var sweep = sweep(new double[] {10.0, 12.0, 14.0, 10.0, 10.2, 10.4},
                new double[] {38.0, 38.0, 38.0, 37.9, 38.0, 38.0});
        assertEquals(List.of(3, 2), Pareto.front(sweep.doubles("request_goodput"), sweep.doubles("replica_seconds")));
        var configurations = Configurations.of(sweep);
        // when
        var front = Pareto.front(configurations.means("request_goodput"), configurations.means("replica_seconds"));
        // then: both configurations, each at its mean (sjf is cheaper on average, fcfs better): no single seed
        assertEquals(List.of(1, 0), front);
        var rows = SweepReport.rows(configurations, "request_goodput", front);
        assertEquals(List.of("sjf", "3", "10.200 (10.000 to 10.400)", "0.200", "37.967 (37.900 to 38.000)",
                "200.000 (100.000 to 300.000)"), rows.get(0));
        assertEquals(List.of("fcfs", "3", "12.000 (10.000 to 14.000)", "2.000", "38.000", "200.000 (100.000 to 300.000)"),
                rows.get(1));
    }

    @Test
    void aSweepAcrossTensorParallelProfilesWeighsDeviceSeconds() {
        // given: sjf's points ran on a four-device profile: the same replica-seconds, four times the device-seconds
        var sweep = sweep(new double[] {10, 10, 10, 11, 11, 11}, new double[] {38, 38, 38, 38, 38, 38});
        var columns = new LinkedHashMap<>(sweep.columns());
        columns.put("device_seconds", List.of(38.0, 38.0, 38.0, 152.0, 152.0, 152.0));
        var tp = new SweepResults(sweep.dir(), sweep.id(), sweep.axes(), columns);
        // then: the cost is device_seconds, and fcfs (cheaper) joins sjf (better) on the front; by replica-seconds,
        // equal for both, sjf's 11 dominated fcfs's 10
        assertEquals("device_seconds", tp.costColumn());
        assertEquals("replica_seconds", sweep.costColumn());
        var configurations = Configurations.of(tp);
        var front = Pareto.front(configurations.means("request_goodput"), configurations.means(tp.costColumn()));
        assertEquals(List.of(0, 1), front);
        assertEquals("152.000", SweepReport.rows(configurations, "request_goodput", List.of(1)).getFirst().get(4));
        var byReplicas = Configurations.of(sweep);
        assertEquals(List.of(1), Pareto.front(byReplicas.means("request_goodput"), byReplicas.means("replica_seconds")));
    }

    @Test
    void seedsThatChangedNothingAreSaidToBeRepeatsNotReplicates() {
        // given: goodput and cost the same for every seed, but p99 not: the seeds did change something
        var same = sweep(new double[] {10, 10, 10, 11, 11, 11}, new double[] {38, 38, 38, 38, 38, 38});
        var note = SweepReport.spreadNote(Configurations.of(same), "request_goodput");
        assertTrue(!note.contains("every seed gave the same figures"), note);
        // when: p99 is the same for every seed too, as in a trace file's sweep whose seeds replayed the same requests
        var columns = new LinkedHashMap<>(same.columns());
        columns.put("p99_ttft_ms", List.of(5.0, 5.0, 5.0, 6.0, 6.0, 6.0));
        var repeats = new SweepResults(same.dir(), same.id(), same.axes(), columns);
        note = SweepReport.spreadNote(Configurations.of(repeats), "request_goodput");
        assertTrue(note.contains("2 configurations, up to 3 seeds each") && note.contains("In 2 of them every seed gave "
                + "the same figures: the seed did not change their workload"), note);
    }

    @Test
    void aSweepWithOneSeedSaysNoSpreadIsKnown() {
        var columns = new LinkedHashMap<String, List<Object>>();
        columns.put("point_id", List.of("a", "b"));
        columns.put("scheduler", List.of("fcfs", "sjf"));
        columns.put("request_goodput", List.of(2.5, 0.0));
        columns.put("replica_seconds", List.of(10.0, 10.0));
        columns.put("p99_ttft_ms", List.of(120.0, Double.NaN));
        columns.put("request_throughput", List.of(2.5, 0.0));
        var sweep = new SweepResults(Path.of("sweep"), "id", List.of("scheduler"), columns);
        var configurations = Configurations.of(sweep);
        assertTrue(SweepReport.spreadNote(configurations, "request_goodput").startsWith("One point per configuration: no "
                + "spread is shown, and none is known."));
        // the run report writes n/a where no request completed; the sweep report wrote NaN
        assertEquals(List.of(List.of("fcfs", "1", "2.500", "n/a", "10.000", "120.000"),
                List.of("sjf", "1", "0.000", "n/a", "10.000", "n/a")),
                SweepReport.rows(configurations, "request_goodput", List.of(0, 1)));
    }
}

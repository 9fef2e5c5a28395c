package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;

/** An overloaded run (its queue growing as long as requests come) is told apart from a stable one, and said so. */
class LoadTrendTest {
    @TempDir Path work;

    private Path run(String name, String rate, String scheduler) throws Exception {
        var overrides = List.of("seed=42", "profile=llama-3-8b/h100-80gb", "kv.blocks=2000", "trace.synthetic.count=600",
                "trace.synthetic.arrivals.rate=" + rate, "plugins.scheduler.name=" + scheduler);
        var dir = work.resolve(name);
        ExperimentRunner.run(ExperimentFile.load(null, overrides), dir, new ExperimentRunner.Options(
                TestBundles.defaultPlugins(work.resolve("plugins")), (t, k, f, to, d) -> {}, null, null));
        return dir;
    }

    @Test
    void aRunOfferedMoreThanItCompletesIsOverloadedAndAStableOneIsNot() throws Exception {
        // given: one replica (about 14 requests/s with these lengths) offered 40/s, and 4/s
        var over = LoadTrend.compute(run("over", "40", "fcfs")).orElseThrow();
        var stable = LoadTrend.compute(run("stable", "4", "fcfs")).orElseThrow();
        // then: the queue grew under 40/s (more in the system at the last arrival than at the quarter, and fewer left
        // than came), and not under 4/s
        assertTrue(over.overloaded(), over.toString());
        assertTrue(over.lastQuarter() > 2 * over.secondQuarter() && over.departureRate() < 0.8 * over.arrivalRate(),
                over.toString());
        assertFalse(stable.overloaded(), stable.toString());
        // and summary.json says so (the demo's 20 req/s on one replica read as a comparison of policies)
        var json = Files.readString(work.resolve("over/summary.json"));
        assertTrue(json.contains("\"overloaded\" : true"), json);
        assertTrue(Files.readString(work.resolve("stable/summary.json")).contains("\"overloaded\" : false"));
        assertTrue(over.warning().startsWith("the run was overloaded: requests arrived at "), over.warning());
    }

    @Test
    void shortLightRunsAreNotOverloaded() throws Exception {
        // 30 requests at 1/s, Poisson and bursty (gamma, cv 3): a re-audit found a third of such seeds flagged, their
        // departures short of arrivals only by the run's own latency, and one count at the last arrival 2-6 requests
        var seeds = java.util.Map.of("poisson", java.util.List.of(11, 14), "gamma", java.util.List.of(4, 5, 8));
        for (var process : java.util.List.of("poisson", "gamma")) {
            for (int seed : seeds.get(process)) { // the seeds the re-audit found flagged
                var overrides = new java.util.ArrayList<>(java.util.List.of("seed=" + seed, "trace.synthetic.count=30",
                        "trace.synthetic.arrivals.rate=1", "trace.synthetic.arrivals.process=" + process));
                if (process.equals("gamma")) overrides.add("trace.synthetic.arrivals.cv=3");
                var dir = work.resolve(process + seed);
                ExperimentRunner.run(ExperimentFile.load(null, overrides), dir, new ExperimentRunner.Options(
                        TestBundles.defaultPlugins(work.resolve("plugins")), (t, k, f, to, d) -> {}, null, null));
                var trend = LoadTrend.compute(dir);
                assertFalse(trend.isPresent() && trend.get().overloaded(), process + " seed " + seed + ": " + trend);
            }
        }
    }

    @Test
    void aShortestJobFirstQueueThatStarvesItsLongRequestsIsOverloadedToo() throws Exception {
        // its late arrivals are short and finish fast: their latency does not grow, the count in the system does
        var sjf = LoadTrend.compute(run("sjf", "40", "sjf")).orElseThrow();
        assertTrue(sjf.overloaded(), sjf.toString());
    }

    @Test
    void aRunReportNotesAnOverloadedRun() throws Exception {
        var runs = NamedRun.load(List.of(run("over", "40", "fcfs")));
        var notes = String.join("\n", servelab.runtime.report.runs.RunReport.notes(runs, java.util.Optional.empty()));
        assertTrue(notes.contains("`over`: the run was overloaded"), notes);
        assertEquals(1, notes.lines().filter(l -> l.contains("overloaded")).count(), notes);
    }
}

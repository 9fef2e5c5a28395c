package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.host.TestBundles;
import servelab.runtime.record.ResultTable;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.RunMetrics;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.runs.RunReport;

/**
 * A long run's iterations table thinned (every k-th step) or left empty, while cluster.arrow's time bins still count
 * every step and the report still works.
 */
class IterationThinningTest {
    private static final List<String> RUN = List.of("seed=9", "kv.blocks=2000", "trace.synthetic.count=60",
            "trace.synthetic.arrivals.rate=20");

    @TempDir Path work;

    @Test
    void everyKthStepOrNoneIsRecordedAndTheTimeBinsStillCountEveryStep() throws Exception {
        var all = run("all", List.of());
        var fifth = run("fifth", List.of("record.iteration_every=5"));
        var none = run("none", List.of("record.iteration_every=0"));
        long steps = all.table(ResultTable.ITERATIONS).orElseThrow().rowCount();
        var thinned = fifth.table(ResultTable.ITERATIONS).orElseThrow().longs("iteration");
        assertTrue(steps > 50 && thinned.length > 0 && thinned.length <= steps / 5 + 1, steps + " vs " + thinned.length);
        for (long iteration : thinned) assertEquals(0, iteration % 5);
        assertEquals(0, none.table(ResultTable.ITERATIONS).orElseThrow().rowCount());
        // the binned series is the same whatever the iterations table keeps
        var binned = all.table(ResultTable.CLUSTER).orElseThrow().doubles("tokens");
        assertTrue(binned.length > 0);
        var binnedNone = none.table(ResultTable.CLUSTER).orElseThrow().doubles("tokens");
        assertEquals(java.util.Arrays.stream(binned).sum(), java.util.Arrays.stream(binnedNone).sum());
        org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(work.resolve("all/cluster.arrow")),
                Files.readAllBytes(work.resolve("none/cluster.arrow")), "cluster.arrow, byte for byte");
        assertEquals(60, none.requests().rowCount());
        var report = RunReport.write(NamedRun.load(List.of(work.resolve("all"), work.resolve("none"))),
                work.resolve("report"), Optional.empty());
        assertTrue(Files.size(work.resolve("report").resolve("report.md")) > 0, report.toString());
    }

    @Test
    void theReportsPrefixHitRateCountsEveryStepWhateverIterationsKeeps() throws Exception {
        var shared = List.of("trace.transforms.shared_prefix.prompts=4", "trace.transforms.shared_prefix.tokens=512",
                "trace.transforms.shared_prefix.share=0.8", "plugins.prefix-cache.name=hash-block");
        var every = new java.util.ArrayList<>(shared);
        var seventh = new java.util.ArrayList<>(shared);
        seventh.add("record.iteration_every=7");
        var all = RunMetrics.of("all", run("all", every), servelab.runtime.record.Slo.NONE);
        var thinned = RunMetrics.of("seventh", run("seventh", seventh), servelab.runtime.record.Slo.NONE);
        // the same run: its rate does not depend on which steps iterations.arrow kept (it was 9.4% against 9.7%)
        assertTrue(all.prefixHitRate() > 0.05, "hit rate " + all.prefixHitRate());
        assertEquals(all.prefixHitRate(), thinned.prefixHitRate());
    }

    /** The scheduler's measured time is in the rows only when record.scheduler_cpu asks for it, else 0. */
    @Test
    void schedulerCpuIsRecordedOnlyWhenAsked() throws Exception {
        var plain = run("plain", List.of()).table(ResultTable.ITERATIONS).orElseThrow().longs("scheduler_cpu_ns");
        var kept = run("kept", List.of("record.scheduler_cpu=true")).table(ResultTable.ITERATIONS).orElseThrow()
                .longs("scheduler_cpu_ns");
        assertTrue(plain.length > 50 && plain.length == kept.length, plain.length + " and " + kept.length + " rows");
        assertTrue(java.util.Arrays.stream(plain).allMatch(t -> t == 0), "no time unless asked");
        assertTrue(java.util.Arrays.stream(kept).anyMatch(t -> t > 0), "the measured times when asked");
    }

    @Test
    void aNegativeEveryIsRefusedByItsKey() {
        var e = assertThrows(Exception.class, () -> run("bad", List.of("record.iteration_every=-1")));
        assertTrue(String.valueOf(e.getMessage()).contains("record.iteration_every must be >= 0 (0: no iteration rows), "
                + "was -1"), e.getMessage());
    }

    private RunResults run(String name, List<String> extra) throws Exception {
        var overrides = new ArrayList<>(RUN);
        overrides.addAll(extra);
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        ExperimentRunner.run(ExperimentFile.load(null, overrides), work.resolve(name),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> { }, null, null));
        return RunResults.load(work.resolve(name));
    }
}

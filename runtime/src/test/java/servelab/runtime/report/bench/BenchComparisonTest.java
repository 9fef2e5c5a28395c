package servelab.runtime.report.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.bench.BenchComparison.Verdict;

class BenchComparisonTest {
    private static final String REPLAY = "servelab.bench.SimulationBenchmark.replay";
    private static final String RECORD = "servelab.bench.SimulationBenchmark.replayAndRecord";

    @TempDir Path tmp;

    private Path baseline() throws Exception {
        return FakeJmh.write(tmp.resolve("baseline.json"),
                FakeJmh.entry(REPLAY, "ss", "azure", 100, 10, "ms/op"),
                FakeJmh.entry(REPLAY, "ss", "mooncake", 900, 50, "ms/op"),
                FakeJmh.entry(RECORD, "ss", "azure", 300, 40, "ms/op"));
    }

    @Test
    void aDeliberatelySlowedBenchmarkIsFlaggedAndNoiseIsNot() throws Exception {
        // given: mooncake replay made twice as slow (errors 50 + 60 = 110 < 900), azure replay 15 ms slower (< 10 + 10)
        var slowed = FakeJmh.write(tmp.resolve("slowed.json"),
                FakeJmh.entry(REPLAY, "ss", "azure", 115, 10, "ms/op"),
                FakeJmh.entry(REPLAY, "ss", "mooncake", 1800, 60, "ms/op"),
                FakeJmh.entry(RECORD, "ss", "azure", 200, 40, "ms/op"));
        var c = BenchComparison.of(JmhResults.read(slowed), JmhResults.read(baseline()));
        // then
        assertEquals(List.of(Verdict.SAME, Verdict.SLOWER, Verdict.FASTER), c.rows().stream().map(BenchComparison.Row::verdict).toList());
        assertEquals(2.0, c.rows().get(1).ratio(), 1e-12);
        assertTrue(c.anySlower());
    }

    @Test
    void aLowerThroughputIsSlowerAndAHigherOneFaster() {
        var before = JmhResult.of("b.X.run", "thrpt", java.util.Map.of(), 1000, 10, "ops/s");
        assertEquals(Verdict.SLOWER, BenchComparison.verdict(JmhResult.of("b.X.run", "thrpt", java.util.Map.of(), 900, 10, "ops/s"), before));
        assertEquals(Verdict.FASTER, BenchComparison.verdict(JmhResult.of("b.X.run", "thrpt", java.util.Map.of(), 1100, 10, "ops/s"), before));
    }

    @Test
    void withoutAnErrorEstimateOrWithAnotherUnitNothingIsJudged() {
        var before = JmhResult.of("b.X.run", "avgt", java.util.Map.of(), 10, Double.NaN, "ms/op");
        assertEquals(Verdict.UNKNOWN, BenchComparison.verdict(JmhResult.of("b.X.run", "avgt", java.util.Map.of(), 20, 1, "ms/op"), before));
        assertEquals(Verdict.OTHER_UNIT, BenchComparison.verdict(JmhResult.of("b.X.run", "avgt", java.util.Map.of(), 20, 1, "us/op"), before));
        // and in another unit there is no ratio (the same time in us/op over ms/op read as 1000x)
        var ms = JmhResult.of("b.X.run", "avgt", java.util.Map.of(), 481.9, 74.9, "ms/op");
        var us = JmhResult.of("b.X.run", "avgt", java.util.Map.of(), 481_909.6, 74_921.3, "us/op");
        var row = BenchComparison.of(java.util.List.of(us), java.util.List.of(ms)).rows().getFirst();
        assertEquals(Verdict.OTHER_UNIT, row.verdict());
        assertTrue(Double.isNaN(row.ratio()), "ratio " + row.ratio());
    }

    @Test
    void benchmarksMissingFromEitherSideAreNewOrListed() throws Exception {
        var now = FakeJmh.write(tmp.resolve("now.json"), FakeJmh.entry(REPLAY, "ss", "burstgpt", 50, 5, "ms/op"));
        var c = BenchComparison.of(JmhResults.read(now), JmhResults.read(baseline()));
        assertEquals(Verdict.NEW, c.rows().getFirst().verdict());
        assertEquals(3, c.onlyInBaseline().size());
    }

    @Test
    void theReportHasATablePerSuiteWithTheFlagAndAChart() throws Exception {
        var slowed = FakeJmh.write(tmp.resolve("slowed.json"),
                FakeJmh.entry(REPLAY, "ss", "mooncake", 1800, 60, "ms/op"),
                FakeJmh.entry("servelab.kernels.MatmulBenchmark.q8", "thrpt", "4096", 12.5, 0.5, "ops/ms"));
        var written = BenchReport.write(slowed, Optional.of(baseline()), tmp.resolve("out"));
        String md = Files.readString(written.markdown());
        assertTrue(md.contains("## SimulationBenchmark") && md.contains("## MatmulBenchmark"), md);
        assertTrue(md.contains("| replay | trace=mooncake | ss | 1800.0 | 60.000 | ms/op | 900.000 | 50.000 | 2.000x | SLOWER |"), md);
        assertTrue(md.contains("| q8 | trace=4096 | thrpt | 12.500 | 0.5000 | ops/ms | n/a | n/a | n/a | new |"), md);
        assertTrue(md.contains("1 benchmark is SLOWER than the baseline beyond the error."), md);
        assertEquals(List.of("bench-simulationbenchmark.png", "bench-matmulbenchmark.png"),
                written.charts().stream().map(p -> p.getFileName().toString()).toList());
        for (var chart : written.charts()) assertTrue(Files.size(chart) > 5_000, chart.toString());
    }
}

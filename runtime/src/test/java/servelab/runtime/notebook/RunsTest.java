package servelab.runtime.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;
import servelab.runtime.report.SmallRuns;
import servelab.runtime.report.Stats;

class RunsTest {
    @TempDir static Path work;

    @BeforeAll
    static void twoRuns() throws Exception {
        SmallRuns.make(work.resolve("runs"));
    }

    @Test
    void aFolderOfRunsLoadsEveryRunInItByName() {
        var runs = Runs.load(work.resolve("runs"));
        // the plugins folder beside them is not a run and is skipped
        assertEquals(List.of("fcfs", "swap"), runs.names());
        assertEquals(List.of("swap"), runs.only("swap").names());
    }

    @Test
    void aColumnIsSelectedAcrossRunsByName() throws Exception {
        var runs = Runs.load(work.resolve("runs"));
        var ttft = runs.requests("ttft_ms");
        assertEquals(List.of("fcfs", "swap"), List.copyOf(ttft.keySet()));
        var fromArrow = RunResults.load(work.resolve("runs/fcfs")).requests().doubles("ttft_ms");
        assertEquals(java.util.Arrays.toString(fromArrow), java.util.Arrays.toString(ttft.get("fcfs")));
        assertEquals(List.of("fcfs", "swap"), List.copyOf(runs.iterations("batch_size").keySet()));
        assertEquals(1, runs.swaps().get("swap").size());
        assertEquals(0, runs.swaps().get("fcfs").size());
    }

    @Test
    void percentilesAreTheReportsFiguresAndLeaveNullsOut() {
        double[] values = {4, Double.NaN, 1, 3, 2};
        assertEquals(Stats.ofKnown(values).median(), Percentiles.of(values, 50));
        assertEquals(3.97, Percentiles.of(values, 99), 1e-12);
        var table = Percentiles.table(java.util.Map.of("a", values), 50, 99);
        assertEquals("""
                run  count  mean   p50   p99
                ---  -----  ----  ----  ----
                a        4  2.50  2.50  3.97
                """, table);
    }

    @Test
    void unknownNamesAndFoldersThatAreNotRunsAreNamed() throws Exception {
        var runs = Runs.load(work.resolve("runs"));
        var e = assertThrows(IllegalArgumentException.class, () -> runs.get("sjf"));
        assertEquals("no run named 'sjf'; runs: fcfs, swap", e.getMessage());
        var empty = Files.createDirectories(work.resolve("empty"));
        var notRun = assertThrows(UncheckedIOException.class, () -> Runs.load(empty));
        assertTrue(notRun.getMessage().startsWith(empty + ": not a ServeLab run folder"), notRun.getMessage());
    }

    @Test
    void theTablesAreTheReportsTablesAsText() {
        var runs = Runs.load(work.resolve("runs"));
        var lines = runs.summaryTable().lines().toList();
        assertTrue(lines.getFirst().startsWith("run   req/s  output tok/s"), lines.getFirst());
        assertEquals(4, lines.size());
        assertTrue(lines.get(2).startsWith("fcfs ") && lines.get(2).contains("ttft=2000,tpot=40"), lines.get(2));
        assertTrue(runs.latencyTable().contains("TTFT p99"));
        assertTrue(runs.pluginsTable().contains("continuous@1.0.0"));
    }

    @Test
    void chartsComeBackAsImages() {
        var runs = Runs.load(work.resolve("runs"));
        var image = Plot.cdf(runs, "ttft_ms");
        assertEquals(900, image.getWidth());
        assertEquals(480, Plot.overTime(runs, "e2el_ms").getHeight());
    }
}

package servelab.runtime.report.runs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.record.ResultTable;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.SmallRuns;
import servelab.runtime.report.SwapEvent;

class RunReportTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir static Path work;
    static List<Path> runDirs;
    static RunReport.Written written;

    @BeforeAll
    static void reportOnTwoSmallRuns() throws Exception {
        runDirs = SmallRuns.make(work);
        written = RunReport.write(NamedRun.load(runDirs), work.resolve("report"), Optional.empty());
    }

    @Test
    void aReportOfRunsLoadedWithoutTheirListsIsTheReportOfTheWholeRuns() throws Exception {
        // servelab report loads no list columns and few iteration columns (a 236 MB run needed more than 256 MB of
        // heap); its summary reads the lists from the files: the same report
        var lean = NamedRun.loadWithoutLists(runDirs, RunReport.ITERATION_COLUMNS);
        assertTrue(!lean.getFirst().results().requests().has("itl_ms"));
        assertEquals(RunReport.ITERATION_COLUMNS, java.util.Set.copyOf(lean.getFirst().results()
                .table(servelab.runtime.record.ResultTable.ITERATIONS).orElseThrow().columnNames()));
        var leanReport = RunReport.write(lean, work.resolve("report-lean"), Optional.empty());
        assertEquals(Files.readString(written.markdown()), Files.readString(leanReport.markdown()));
        for (int i = 0; i < written.charts().size(); i++) {
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(written.charts().get(i)),
                    Files.readAllBytes(leanReport.charts().get(i))), written.charts().get(i).getFileName().toString());
        }
    }

    @Test
    void aRunThatMadeNoStepIsNotCalledAnImport() throws Exception {
        // every request failed before a step (all over max_model_len): the note said "an imported run"
        var stepless = work.resolve("stepless");
        servelab.runtime.record.RunRecorder.create(stepless, servelab.runtime.record.RecorderOptions.defaults()).close();
        for (var file : List.of("requests.arrow", "run.json")) {
            Files.copy(runDirs.get(0).resolve(file), stepless.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        var report = RunReport.write(NamedRun.load(List.of(stepless)), work.resolve("report-stepless"), Optional.empty());
        var md = Files.readString(report.markdown());
        assertTrue(md.contains("`stepless` recorded no engine step (every request failed before one, or "
                + "record.iteration_every is 0)"), md);
        assertTrue(!md.contains("an imported run"), md);
    }

    @Test
    void notesSayWhenSlosDifferAndWhenARunHasNoRunJson() throws Exception {
        // given: the fcfs run again under a tighter SLO, and once without its run.json
        var tight = work.resolve("tight");
        var bare = work.resolve("bare");
        for (var copy : List.of(tight, bare)) {
            try (var files = Files.list(runDirs.get(0))) {
                Files.createDirectories(copy);
                for (var f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        var info = Files.readString(tight.resolve("run.json")).replace("\"ttft_ms\" : 2000", "\"ttft_ms\" : 500");
        assertTrue(info.contains("\"ttft_ms\" : 500"), info);
        Files.writeString(tight.resolve("run.json"), info);
        Files.delete(bare.resolve("run.json"));
        var runs = servelab.runtime.report.NamedRun.load(List.of(runDirs.get(0), tight, bare));
        // then: goodput under different SLOs is said not to compare (it read 1.78 against 11.76 req/s, unremarked),
        // unless one --slo judges all; the run without run.json is named, and not as another workload
        var notes = String.join("\n", RunReport.notes(runs, java.util.Optional.empty()));
        assertTrue(notes.contains("the SLOs differ (`fcfs` ttft=2000,tpot=40, `tight` ttft=500,tpot=40, `bare` none)"), notes);
        assertTrue(notes.contains("`bare` has no run.json"), notes);
        assertTrue(!notes.contains("did not replay one workload"), notes);
        var judged = String.join("\n", RunReport.notes(runs, java.util.Optional.of(servelab.runtime.record.Slo.parse("ttft=1000"))));
        assertTrue(!judged.contains("SLOs differ"), judged);
    }

    @Test
    void runsOfOneTraceFileUnderOtherSeedsReplayedOneWorkload() throws Exception {
        // given: two copies of a run whose run.json names one trace file, under seeds 1 and 2
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        var copies = new java.util.ArrayList<Path>();
        for (int seed : new int[] {1, 2}) {
            var copy = Files.createDirectories(work.resolve("file-seed" + seed));
            try (var files = Files.list(runDirs.get(0))) {
                for (var f : files.toList()) if (Files.isRegularFile(f)) Files.copy(f, copy.resolve(f.getFileName()));
            }
            var info = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(copy.resolve("run.json").toFile());
            info.put("seed", seed);
            var trace = info.putObject("trace").put("file", "/traces/conv.csv").put("format", "azure-csv")
                    .put("sha256", "ab12");
            trace.putObject("transforms").putNull("shared_prefix");
            mapper.writeValue(copy.resolve("run.json").toFile(), info);
            copies.add(copy);
        }
        // then: no note (a trace file's requests do not depend on the seed; it said "did not replay one workload")
        var notes = String.join("\n", RunReport.notes(servelab.runtime.report.NamedRun.load(copies), Optional.empty()));
        assertTrue(!notes.contains("did not replay one workload"), notes);
        // but with a shared_prefix transform, whose prompts the seed draws, they did not
        for (var copy : copies) {
            var info = (com.fasterxml.jackson.databind.node.ObjectNode) mapper.readTree(copy.resolve("run.json").toFile());
            ((com.fasterxml.jackson.databind.node.ObjectNode) info.get("trace").get("transforms")).putObject("shared_prefix")
                    .put("prompts", 4);
            mapper.writeValue(copy.resolve("run.json").toFile(), info);
        }
        notes = String.join("\n", RunReport.notes(servelab.runtime.report.NamedRun.load(copies), Optional.empty()));
        assertTrue(notes.contains("did not replay one workload"), notes);
    }

    @Test
    void theLatencyTableHoldsTheMeanMedianAndP99OfTheArrowColumns() throws IOException {
        var table = markdownTable("## Latency (ms)");
        for (var dir : runDirs) {
            var requests = RunResults.load(dir).requests();
            var row = table.get(dir.getFileName().toString());
            // then: each cell is numpy's figure of the column's non-null values, to the two decimals printed
            int column = 0;
            for (var name : List.of("ttft_ms", "tpot_ms", "itl_ms", "e2el_ms")) {
                double[] values = name.equals("itl_ms")
                        ? requests.doubleLists(name).stream().flatMapToDouble(Arrays::stream).toArray()
                        : requests.doubles(name);
                double[] known = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
                assertNear(Arrays.stream(known).average().orElseThrow(), row.get(column++), dir + " mean " + name);
                assertNear(numpyPercentile(known, 50), row.get(column++), dir + " p50 " + name);
                assertNear(numpyPercentile(known, 99), row.get(column++), dir + " p99 " + name);
            }
        }
    }

    @Test
    void theThroughputTableHoldsRatesGoodputAndPreemptionsAndSaysNaWhereThereIsNoData() throws IOException {
        var table = markdownTable("## Throughput and counters");
        for (var dir : runDirs) {
            var requests = RunResults.load(dir).requests();
            long[] arrival = requests.longs("arrival_ns");
            long[] completion = requests.longs("completion_ns");
            double[] ttft = requests.doubles("ttft_ms");
            double[] tpot = requests.doubles("tpot_ms");
            long[] preemptions = requests.longs("preemptions");
            double duration = (Arrays.stream(completion).max().orElseThrow() - Arrays.stream(arrival).min().orElseThrow()) / 1e9;
            int good = 0;
            for (int i = 0; i < ttft.length; i++) if (ttft[i] <= 2000 && (Double.isNaN(tpot[i]) || tpot[i] <= 40)) good++;
            var row = table.get(dir.getFileName().toString());
            // then: every request completed (no error), so req/s is all of them over first arrival to last completion
            assertNear(ttft.length / duration, row.get(0), dir + " req/s");
            assertNear(good / duration, row.get(3), dir + " goodput under the run's SLO");
            assertEquals("ttft=2000,tpot=40", row.get(4));
            // and: no prefix cache and no speculation took part, so those are n/a, not 0
            assertEquals("n/a", row.get(5), "prefix hit rate");
            assertEquals(Long.toString(Arrays.stream(preemptions).sum()), row.get(6), "preemptions");
            assertEquals("n/a", row.get(7), "acceptance rate");
        }
    }

    @Test
    void thePluginsTableNamesEachRunsPluginsAndTheSwapRunsStartingScheduler() throws IOException {
        var table = markdownTable("## Runs");
        assertEquals("fcfs@1.0.0", table.get("fcfs").get(0));
        // both runs ran continuous and paged with the same parameters: those are left out of the comparison (they
        // filled each cell since run.json records defaults too)
        assertEquals("continuous@1.0.0", table.get("fcfs").get(1));
        assertEquals("paged@1.0.0", table.get("fcfs").get(2));
        // the swap run's row shows the scheduler it started with and the one it was swapped to (it showed only fcfs)
        assertTrue(table.get("swap").get(0).startsWith("fcfs@1.0.0 → sjf@1.0.0"), table.get("swap").toString());
        // the swap run records its scheduler at start in run.json; the swap itself is an event
        var swaps = SwapEvent.of(RunResults.load(runDirs.get(1)));
        assertEquals(1, swaps.size());
        assertEquals("scheduler", swaps.getFirst().kind());
        assertEquals("fcfs@1.0.0", swaps.getFirst().from());
        assertEquals("sjf@1.0.0", swaps.getFirst().to());
        assertEquals("scheduler fcfs -> sjf", swaps.getFirst().label());
        var iterations = RunResults.load(runDirs.get(1)).table(ResultTable.ITERATIONS).orElseThrow();
        long firstSjf = iterations.longs("iteration")[iterations.strings("scheduler").indexOf("sjf@1.0.0")];
        assertEquals(swaps.getFirst().iteration(), firstSjf, "the swap event names the first iteration on sjf");
    }

    @Test
    void everyChartIsAValidPngOfNonTrivialSizeAndBothPagesShowIt() throws IOException {
        var names = written.charts().stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("cdf-ttft.png", "cdf-tpot.png", "cdf-e2el.png", "ttft-over-time.png", "e2el-over-time.png",
                "kv-blocks.png", "batch-size.png", "tokens-per-iteration.png"), names);
        String md = Files.readString(written.markdown());
        String html = Files.readString(written.html());
        for (var chart : written.charts()) {
            byte[] bytes = Files.readAllBytes(chart);
            assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(bytes, 8), chart + " starts as a PNG");
            assertTrue(bytes.length > 10_000, chart + " has " + bytes.length + " bytes");
            var image = ImageIO.read(chart.toFile());
            assertEquals(servelab.runtime.report.chart.Charts.WIDTH, image.getWidth(), chart + " width");
            assertEquals(servelab.runtime.report.chart.Charts.HEIGHT, image.getHeight(), chart + " height");
            assertTrue(distinctColours(image) > 20, chart + " is more than a blank canvas");
            String file = chart.getFileName().toString();
            assertTrue(md.contains("](" + file + ")"), "report.md shows " + file);
            assertTrue(html.contains("<img src=\"" + file + "\""), "report.html shows " + file);
        }
    }

    @Test
    void theHtmlPageHasTheSameTablesAsTheMarkdown() throws IOException {
        String html = Files.readString(written.html());
        var latency = markdownTable("## Latency (ms)");
        for (var row : latency.entrySet()) {
            assertTrue(html.contains("<td>" + row.getKey() + "</td>"), row.getKey());
            for (var cell : row.getValue()) assertTrue(html.contains("<td class=\"num\">" + cell + "</td>"), cell);
        }
    }

    /** The table after {@code heading} in report.md: run name to its other cells. */
    private static Map<String, List<String>> markdownTable(String heading) throws IOException {
        var lines = Files.readAllLines(written.markdown());
        int i = lines.indexOf(heading);
        assertTrue(i >= 0, "report.md has " + heading);
        while (!lines.get(i).startsWith("| run ")) i++;
        var table = new TreeMap<String, List<String>>();
        for (i += 2; i < lines.size() && lines.get(i).startsWith("|"); i++) {
            var cells = Arrays.stream(lines.get(i).split(" \\| ")).map(c -> c.replace("|", "").strip()).toList();
            table.put(cells.getFirst(), cells.subList(1, cells.size()));
        }
        return table;
    }

    private static double numpyPercentile(double[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }

    private static void assertNear(double expected, String cell, String what) {
        assertEquals(expected, Double.parseDouble(cell), 0.0051, what + ": cell '" + cell + "'");
    }

    private static int distinctColours(java.awt.image.BufferedImage image) {
        var colours = new HashSet<Integer>();
        for (int y = 0; y < image.getHeight(); y += 3) for (int x = 0; x < image.getWidth(); x += 3) colours.add(image.getRGB(x, y));
        return colours.size();
    }
}

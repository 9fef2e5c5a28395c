package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;
import servelab.runtime.report.Summary;

/**
 * The fixture: three requests sent at 1000.000, 1000.010 and 1000.020 s (perf_counter). r0: ttft 50 ms, itls 10 and
 * 20 ms, latency 80 ms, 3 tokens. r1: ttft 40 ms, one chunk 15 ms later carrying two tokens, latency 60 ms, 3
 * tokens. r2 failed with "Bad Request".
 */
class VllmImporterTest {

    @TempDir
    Path tmp;

    @Test
    void importsPerRequestArraysAsARequestsTable() throws Exception {
        var dir = tmp.resolve("vllm");
        assertEquals(3, VllmImporter.importTo(fixture(), dir));
        var requests = RunResults.load(dir).requests();
        // then: arrivals relative to the first start; vLLM's ITLs kept as given (per chunk)
        assertArrayEquals(new long[] {0, Rows.ms(10), Rows.ms(20)}, requests.longs("arrival_ns"));
        assertArrayEquals(new double[] {50, 40, Double.NaN}, requests.doubles("ttft_ms"), 1e-9);
        assertArrayEquals(new double[] {80, 60, Double.NaN}, requests.doubles("e2el_ms"), 1e-9);
        // TPOT as vLLM computes it: (80 - 50) / 2 and (60 - 40) / 2
        assertArrayEquals(new double[] {15, 10, Double.NaN}, requests.doubles("tpot_ms"), 1e-9);
        assertArrayEquals(new double[] {10, 20}, requests.doubleLists("itl_ms").get(0), 1e-9);
        assertArrayEquals(new double[] {15}, requests.doubleLists("itl_ms").get(1), 1e-9);
        assertEquals(List.of("", "", "Bad Request"), requests.strings("error"));
        // and: what vLLM does not know is null
        assertArrayEquals(new boolean[] {true, true, true}, requests.nulls("preemptions"));
        assertArrayEquals(new boolean[] {true, true, true}, requests.nulls("first_scheduled_ns"));
    }

    @Test
    void summaryOfAnImportMatchesVllmsDefinitions() throws Exception {
        var dir = tmp.resolve("vllm");
        VllmImporter.importTo(fixture(), dir);
        var s = Summary.compute(RunResults.load(dir), servelab.runtime.record.Slo.NONE);
        // first arrival 0 to last completion max(80, 10 + 60) = 80 ms
        assertEquals(0.08, s.durationS(), 1e-12);
        assertEquals(2, s.completed());
        assertEquals(1, s.failed());
        assertEquals(20, s.totalInputTokens());
        // vLLM's results know no preemptions: not known, not 0 (a client's run printed "Preemptions: 0")
        assertEquals(-1, s.preemptions());
        assertEquals(null, s.toJson().get("preemptions"));
        assertTrue(s.toJson().containsKey("preemptions"));
        assertTrue(s.format().lines().anyMatch(l -> l.startsWith("Preemptions:") && l.strip().endsWith("n/a")),
                s.format());
        assertEquals(45, s.ttftMs().mean(), 1e-9);      // vLLM's own mean_ttft_ms in the fixture
        assertEquals(15, s.itlMs().mean(), 1e-9);       // (10 + 20 + 15) / 3 chunks
    }

    @Test
    void runJsonKeepsVllmsScalarResults() throws Exception {
        var dir = tmp.resolve("vllm");
        VllmImporter.importTo(fixture(), dir);
        var info = RunResults.load(dir).runInfo();
        assertEquals("vllm bench serve", info.get("source"));
        var vllm = (Map<?, ?>) info.get("vllm");
        assertEquals("tiny-model", vllm.get("model_id"));
        assertEquals(0.081, (Double) vllm.get("duration"), 1e-12);
        assertTrue(!vllm.containsKey("ttfts"), "arrays are in requests.arrow, not run.json");
    }

    @Test
    void aFileWithoutDetailedArraysSaysWhichFlagIsNeeded() throws IOException {
        var file = write("{\"duration\": 1.0, \"completed\": 3}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().contains("key 'input_lens' is missing") && e.getMessage().contains("--save-detailed"),
                e.getMessage());
    }

    @Test
    void aMalformedValueIsNamedByKeyAndIndex() throws IOException {
        var file = write("{\"input_lens\": [1, 2], \"output_lens\": [1, 2], \"ttfts\": [0.1, \"abc\"], "
                + "\"itls\": [[], [0.1]]}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": ttfts[1] must be a number of seconds, was \"abc\"", e.getMessage());
    }

    @Test
    void nanAndInfinityAsPythonWritesThemAreReadAndRefusedOnlyWhereUsed() throws Exception {
        // Python's json.dump writes NaN and Infinity; a summary field with one was refused with Jackson's advice
        var ok = write("{\"std_ttft_ms\": NaN, \"max_itl_ms\": Infinity, \"input_lens\": [1], \"output_lens\": [2], "
                + "\"ttfts\": [0.1], \"itls\": [[0.02]]}");
        assertEquals(1, VllmImporter.importTo(ok, tmp.resolve("ok")));
        var bad = Files.writeString(tmp.resolve("bad.json"), "{\"input_lens\": [1], \"output_lens\": [2], "
                + "\"ttfts\": [0.1], \"itls\": [[NaN]]}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(bad, tmp.resolve("bad")));
        assertEquals(bad + ": itls[0][0] must be a number of seconds, was NaN", e.getMessage());
    }

    @Test
    void aFolderIsNamedNotAnsweredWithIsADirectory() throws IOException {
        var dir = Files.createDirectories(tmp.resolve("adir.json"));
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(dir, tmp.resolve("out")));
        assertEquals(dir + ": is a folder; give the file in it", e.getMessage());
        var v = assertThrows(ImportException.class, () -> VidurImporter.importTo(dir, tmp.resolve("out2")));
        assertEquals(dir + ": is a folder; give the file in it", v.getMessage());
    }

    @Test
    void aFileWithNoRequestsIsRefused() throws IOException {
        var file = write("{\"input_lens\": [], \"output_lens\": [], \"ttfts\": [], \"itls\": []}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": holds no requests: its per-request arrays are empty", e.getMessage());
    }

    @Test
    void aNegativeTtftIsNamedByIndex() throws IOException {
        // found by fuzz/run: the first token came before the arrival, and RequestRow's own check named no index
        var file = write("{\"input_lens\": [1], \"output_lens\": [1], \"ttfts\": [-0.04], \"itls\": [[]]}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": ttfts[0] is negative (-0.04 s)", e.getMessage());
    }

    @Test
    void anImportWithoutArrivalTimesSaysItsThroughputsAreNotTheBenchmarks() throws Exception {
        var file = write("{\"duration\": 1.0, \"input_lens\": [1, 1], \"output_lens\": [2, 2], \"ttfts\": [0.1, 0.2], "
                + "\"itls\": [[0.01], [0.01]]}");
        VllmImporter.importTo(file, tmp.resolve("out"));
        var notes = servelab.runtime.report.RunResults.load(tmp.resolve("out")).notes();
        assertTrue(notes.stream().anyMatch(n -> n.contains("its duration and throughputs here are not the benchmark's; "
                + "vLLM measured a duration of 1.0 s")), notes.toString());
    }

    @Test
    void arraysThatCannotDescribeTheSameRequestsAreRefused() throws IOException {
        // more gaps than tokens allow (a gap lies between two chunks), and a request that ended before its first token
        var gaps = write("{\"input_lens\": [1, 1], \"output_lens\": [3, 2], \"ttfts\": [0.1, 0.1], "
                + "\"itls\": [[0.01, 0.01], [0.01, 0.01, 0.01]]}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(gaps, tmp.resolve("out")));
        assertEquals(gaps + ": itls[1] has 3 gaps, more than output_lens[1] - 1 = 1 (each gap lies between two streamed "
                + "chunks of one token or more): the arrays do not describe the same requests", e.getMessage());
        var early = write("{\"input_lens\": [1], \"output_lens\": [2], \"ttfts\": [0.5], \"itls\": [[0.1]], "
                + "\"latencies\": [0.2]}");
        e = assertThrows(ImportException.class, () -> VllmImporter.importTo(early, tmp.resolve("out2")));
        assertEquals(early + ": latencies[0] (0.2 s) is less than ttfts[0] (0.5 s): a request ends after its first token",
                e.getMessage());
    }

    @Test
    void timesTooLongForNanosecondsAreNamedByIndex() throws IOException {
        // 1e15 s is more nanoseconds than a long holds: the sum went negative and reached RequestRow's own check
        var file = write("{\"input_lens\": [1], \"output_lens\": [1], \"ttfts\": [1e15], \"itls\": [[]]}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": ttfts[0] is more than 1e9 seconds (about 31 years): 1.0E15", e.getMessage());
        var itls = write("{\"input_lens\": [1], \"output_lens\": [2], \"ttfts\": [0], \"itls\": [[1e15]]}");
        e = assertThrows(ImportException.class, () -> VllmImporter.importTo(itls, tmp.resolve("out")));
        assertEquals(itls + ": ttfts[0] and itls[0] make a latency of more than 1e9 seconds (about 31 years): 1.0E15",
                e.getMessage());
        var starts = write("{\"input_lens\": [1, 1], \"output_lens\": [1, 1], \"ttfts\": [0.1, 0.1], \"itls\": [[], []], "
                + "\"start_times\": [0, 2e9]}");
        e = assertThrows(ImportException.class, () -> VllmImporter.importTo(starts, tmp.resolve("out")));
        assertEquals(starts + ": start_times[1] is more than 1e9 seconds (about 31 years) after the first start time",
                e.getMessage());
    }

    @Test
    void arraysOfDifferentLengthsAreNamed() throws IOException {
        var file = write("{\"input_lens\": [1, 2], \"output_lens\": [1], \"ttfts\": [0.1, 0.2], \"itls\": [[], []]}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": key 'output_lens' has 1 entries, 'input_lens' has 2", e.getMessage());
    }

    @Test
    void brokenJsonGivesTheLine() throws IOException {
        var file = write("{\n  \"input_lens\": [1,\n}");
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertTrue(e.getMessage().startsWith(file + ": not JSON at line 3"), e.getMessage());
    }

    /** Found by fuzzing: leading zero bytes made Jackson decode the file as UTF-32 and throw CharConversionException. */
    @Test
    void zeroBytesAreRefusedAtTheirLineAndColumnNotDecodedAsUtf32() throws IOException {
        var file = Files.write(tmp.resolve("result.json"), "\0\0\0\t{\"input_lens\": [1]}".getBytes(StandardCharsets.UTF_8));
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertTrue(e.getMessage().startsWith(file + ": not JSON at line 1, column ")
                && e.getMessage().contains("Illegal character ((CTRL-CHAR, code 0))"),
                e.getMessage());
    }

    @Test
    void bytesThatAreNotUtf8AreNamedByLineColumnAndOffset() throws IOException {
        var bytes = "{\"input_lens\":\n  [1, \"é\", \"\u00ff\"]}".getBytes(StandardCharsets.UTF_8);
        int at = bytes.length - 5;                      // the first byte of ÿ, now a lone continuation byte
        bytes[at] = (byte) 0xBF;
        var file = Files.write(tmp.resolve("result.json"), bytes);
        var e = assertThrows(ImportException.class, () -> VllmImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": not UTF-8 text at line 2, column 13 (byte offset " + at + "); JSON files are UTF-8",
                e.getMessage());
    }

    @Test
    void aByteOrderMarkIsAccepted() throws Exception {
        var json = Files.readAllBytes(fixture());
        var withBom = new byte[json.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(json, 0, withBom, 3, json.length);
        var file = Files.write(tmp.resolve("bom.json"), withBom);
        assertEquals(3, VllmImporter.importTo(file, tmp.resolve("out")));
    }

    static Path fixture() throws URISyntaxException {
        return Path.of(VllmImporterTest.class.getResource("vllm-bench-serve-detailed.json").toURI());
    }

    private Path write(String json) throws IOException {
        return Files.writeString(tmp.resolve("result.json"), json);
    }
}

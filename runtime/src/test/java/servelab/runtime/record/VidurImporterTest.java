package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/**
 * The fixture, in seconds: r0 (first, no inter-arrival delay) scheduled after 0.01, first token after 0.1, done
 * after 0.5, 4 decode tokens. r1 arrives 0.25 later, scheduled after 0.05, first token after 0.2, done after 0.7,
 * 5 tokens, 1 restart. r2 arrives 0.1 after r1 and never completes.
 */
class VidurImporterTest {

    @TempDir
    Path tmp;

    @Test
    void importsRequestMetricsAsARequestsTable() throws Exception {
        var dir = tmp.resolve("vidur");
        assertEquals(3, VidurImporter.importTo(fixture(), dir));
        var requests = RunResults.load(dir).requests();
        assertArrayEquals(new long[] {0, Rows.ms(250), Rows.ms(350)}, requests.longs("arrival_ns"));
        assertArrayEquals(new long[] {Rows.ms(10), Rows.ms(300), -1}, requests.longs("first_scheduled_ns"));
        assertArrayEquals(new double[] {100, 200, Double.NaN}, requests.doubles("ttft_ms"), 1e-9);
        assertArrayEquals(new double[] {500, 700, Double.NaN}, requests.doubles("e2el_ms"), 1e-9);
        // TPOT (e2el - ttft) / (output - 1): 400 / 3 and 500 / 4
        assertArrayEquals(new double[] {400.0 / 3, 125, Double.NaN}, requests.doubles("tpot_ms"), 1e-9);
        assertArrayEquals(new long[] {0, 1, -1}, requests.longs("preemptions"));
        // the request Vidur did not complete asked for 8 tokens; how many it produced is unknown, not 8 (was 8)
        assertArrayEquals(new long[] {4, 5, 0}, requests.longs("output_tokens"));
        assertEquals(List.of("", "", "not completed when the Vidur simulation ended (8 decode tokens asked; how many "
                + "were produced is not in Vidur's file)"), requests.strings("error"));
        assertArrayEquals(new boolean[] {true, true, true}, requests.nulls("itl_ms"));
    }

    @Test
    void ourNormalisedLatencyIsVidursRequestE2eTimeNormalized() throws Exception {
        var dir = tmp.resolve("vidur");
        VidurImporter.importTo(fixture(), dir);
        // the fixture's request_e2e_time_normalized column: 0.125 s and 0.14 s
        assertArrayEquals(new double[] {125, 140, Double.NaN},
                RunResults.load(dir).requests().doubles("e2el_per_output_token_ms"), 1e-9);
    }

    @Test
    void aMissingColumnIsNamedWithTheHeaderFound() throws IOException {
        var file = write("Request Id,request_e2e_time\n0,0.5\n");
        var e = assertThrows(ImportException.class, () -> VidurImporter.importTo(file, tmp.resolve("out")));
        assertTrue(e.getMessage().startsWith(file + ": line 1: column 'prefill_e2e_time' is missing"), e.getMessage());
    }

    @Test
    void aMalformedValueIsNamedByLineAndColumn() throws IOException {
        var file = write("""
                Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens
                0,0.5,0.1,10,4
                1,slow,0.1,10,4
                """);
        var e = assertThrows(ImportException.class, () -> VidurImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": line 3, column 'request_e2e_time': not a number: 'slow'", e.getMessage());
        // and: Java's own number syntax is not a CSV number (2f, 1d and hex floats were read as 2, 1 and 0.5)
        for (var javaOnly : List.of("2f", "1d", "0x1p-1", "Infinity")) {
            var other = write("Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,"
                    + "request_num_decode_tokens\n0," + javaOnly + ",0.1,10,4\n");
            var refused = assertThrows(ImportException.class, () -> VidurImporter.importTo(other, tmp.resolve("o")));
            assertEquals(other + ": line 2, column 'request_e2e_time': not a number: '" + javaOnly + "'",
                    refused.getMessage());
        }
    }

    @Test
    void timesTooLongForNanosecondsAreNamedByLineAndColumn() throws IOException {
        // found by fuzz/run: 888888888888888.7 s overflowed the completion's nanoseconds, and RequestRow's own check
        // named no line
        var file = write("""
                Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens
                0,0.5,0.1,10,4
                1,888888888888888.7,0.1,10,4
                """);
        var e = assertThrows(ImportException.class, () -> VidurImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": line 3, column 'request_e2e_time': must be at most 1e9 seconds (about 31 years), was "
                + "8.888888888888888E14", e.getMessage());
        var delays = write("""
                Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens,request_inter_arrival_delay
                0,0.5,0.1,10,4,9e8
                1,0.5,0.1,10,4,9e8
                """);
        e = assertThrows(ImportException.class, () -> VidurImporter.importTo(delays, tmp.resolve("out2")));
        assertEquals(delays + ": line 3, column 'request_inter_arrival_delay': the delays up to this line put the "
                + "arrival more than 1e9 seconds (about 31 years) after the first", e.getMessage());
    }

    @Test
    void anUnbalancedQuoteNamesTheFileOnceWithItsLine() throws IOException {
        var file = write("Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens\n"
                + "0,1.5,0.1,\"100,10\n");
        var e = assertThrows(ImportException.class, () -> VidurImporter.importTo(file, tmp.resolve("out")));
        // it read ".../request_metrics.csv: request_metrics.csv:2: ..."
        assertTrue(e.getMessage().startsWith(file + ":2"), e.getMessage());
        assertEquals(1, e.getMessage().split("request_metrics.csv", -1).length - 1, e.getMessage());
    }

    @Test
    void theFirstRequestArrivesAtItsOwnDelayAsRunJsonSays() throws IOException {
        var file = write("""
                Request Id,request_inter_arrival_delay,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens
                0,0.5,1.0,0.2,10,4
                1,0.3,1.0,0.2,10,4
                """);
        VidurImporter.importTo(file, tmp.resolve("arrivals"));
        var results = servelab.runtime.report.RunResults.load(tmp.resolve("arrivals"));
        assertEquals(java.util.List.of(500_000_000L, 800_000_000L),
                java.util.Arrays.stream(results.requests().longs("arrival_ns")).boxed().toList());
        // run.json said "the first request at 0"
        assertTrue(String.valueOf(results.runInfo().get("arrival_times")).contains("the first request at its delay"),
                String.valueOf(results.runInfo().get("arrival_times")));
    }

    @Test
    void aRequestThatEndsBeforeItsFirstTokenIsNamedByLineAndColumn() throws IOException {
        // found by fuzz/run: it reached RequestRow's own check, an IllegalArgumentException naming no line
        var file = write("""
                Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens
                0,0.95,1.45,10,4
                """);
        var e = assertThrows(ImportException.class, () -> VidurImporter.importTo(file, tmp.resolve("out")));
        assertTrue(e.getMessage().startsWith(file + ": line 2, column 'request_e2e_time': shorter than prefill_e2e_time"),
                e.getMessage());
    }

    @Test
    void aShortLineIsNamed() throws IOException {
        var file = write("""
                Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens
                0,0.5,0.1,10
                """);
        var e = assertThrows(ImportException.class, () -> VidurImporter.importTo(file, tmp.resolve("out")));
        assertEquals(file + ": line 2: 4 fields, the header has 5", e.getMessage());
    }

    @Test
    void countsWrittenAsFloatsByPandasAreAccepted() throws Exception {
        var file = write("""
                Request Id,request_e2e_time,prefill_e2e_time,request_num_prefill_tokens,request_num_decode_tokens
                0,0.5,0.1,10.0,4.0
                """);
        VidurImporter.importTo(file, tmp.resolve("out"));
        assertArrayEquals(new long[] {10}, RunResults.load(tmp.resolve("out")).requests().longs("input_tokens"));
    }

    static Path fixture() throws URISyntaxException {
        return Path.of(VidurImporterTest.class.getResource("vidur-request_metrics.csv").toURI());
    }

    private Path write(String csv) throws IOException {
        return Files.writeString(tmp.resolve("request_metrics.csv"), csv);
    }
}

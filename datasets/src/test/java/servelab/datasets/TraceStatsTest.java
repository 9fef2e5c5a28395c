package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Statistics on tiny traces whose values are worked out by hand in the comments. */
class TraceStatsTest {
    private static final double EXACT = 1e-12;

    @TempDir
    Path dir;

    private static TraceRequest at(double seconds, int in, int out) {
        return TraceRequest.of(0, Math.round(seconds * 1e9), in, out);
    }

    @Test
    void computesRateGapsAndDispersionOfFourArrivals() {
        // given: arrivals at 0, 1, 1, 3 s
        var stats = TraceStats.of(List.of(at(0, 10, 1), at(1, 20, 1), at(1, 30, 1), at(3, 40, 1)));
        // then: span 3 s, 4 rows, rate 4/3
        assertEquals(4, stats.rows());
        assertEquals(3.0, stats.spanS(), EXACT);
        assertEquals(4.0 / 3, stats.rateRps(), EXACT);
        // gaps 1, 0, 2: mean 1, population variance 2/3, so CV = sqrt(2/3); one gap in three is 0
        assertEquals(Math.sqrt(2.0 / 3), stats.cvIat(), EXACT);
        assertEquals(1.0 / 3, stats.zeroGapFrac(), EXACT);
        // 1-s bins: floor(3 / 1) = 3 complete bins hold 1, 2, 0 (the arrival at 3 s is past them): var 2/3, mean 1
        assertEquals(2.0 / 3, stats.idxDisp1s(), EXACT);
        // 3-s bins: one bin holding 3: no variance
        assertEquals(0.0, stats.idxDisp3s(), EXACT);
        // 60-s bins: none complete, so undefined (NaN, and null in the map)
        assertEquals(Double.NaN, stats.idxDisp60s());
        assertNull(stats.toMap().get("idx_disp_60s"));
    }

    @Test
    void interpolatesPercentilesAsNumpyDoes() {
        var stats = TraceStats.of(List.of(at(0, 10, 1), at(1, 20, 5), at(2, 30, 1), at(3, 40, 7)));
        // numpy.percentile([10, 20, 30, 40], [50, 90, 99]) = 25.0, 37.0, 39.699999999999996
        assertEquals(new TraceStats.TokenStats(25.0, 37.0, 39.699999999999996, 40, 10, 25), stats.input());
        // numpy.percentile([1, 5, 1, 7], [50, 90, 99]) = 3.0, 6.4, 6.94 (checked with numpy 2.4)
        assertEquals(3.0, stats.output().p50(), EXACT);
        assertEquals(6.4, stats.output().p90(), EXACT);
        assertEquals(6.94, stats.output().p99(), 1e-12);
    }

    @Test
    void countsPrefixBlockHitsByBlockAndByToken() {
        // given: 4-token blocks; A = [1, 2, 3] over 10 tokens (4 + 4 + 2), B = [1, 2, 9] over 9 (4 + 4 + 1),
        // C = [5] over 3 tokens
        var a = new TraceRequest(0, 0, 10, 1, "default", 0, new long[]{1, 2, 3}, 4);
        var b = new TraceRequest(1, 1, 9, 1, "default", 0, new long[]{1, 2, 9}, 4);
        var c = new TraceRequest(2, 2, 3, 1, "default", 0, new long[]{5}, 4);
        var prefix = TraceStats.of(List.of(a, b, c)).prefix().orElseThrow();
        // then: 7 blocks, 5 distinct; B's first two blocks hit: 2 of 7 blocks, 8 of 22 tokens
        assertEquals(7, prefix.blocksTotal());
        assertEquals(5, prefix.distinctHashIds());
        assertEquals(7.0 / 3, prefix.avgBlocksPerReq(), EXACT);
        assertEquals(2.0 / 7, prefix.infHitRatioBlocks(), EXACT);
        assertEquals(8.0 / 22, prefix.infHitRatioTokens(), EXACT);
        // all caches hold the 5 ids, so each LRU is the infinite cache
        assertEquals(List.of(1_000, 10_000, 100_000), prefix.lru().stream().map(TraceStats.LruHitRatio::capacityBlocks).toList());
        prefix.lru().forEach(lru -> assertEquals(2.0 / 7, lru.any(), EXACT));
    }

    @Test
    void omitsPrefixKeysWhenNoRowHasBlocksAndKeepsStatsJsonKeyOrder() {
        var map = TraceStats.of(List.of(at(0, 1, 1), at(2, 1, 1))).toMap();
        assertEquals(List.of("rows", "span_s", "rate_rps", "cv_iat", "zero_gap_frac", "idx_disp_1s", "idx_disp_3s",
                "idx_disp_60s", "input", "output", "zero_output_rows", "zero_input_rows"), List.copyOf(map.keySet()));
        assertEquals(List.of("p50", "p90", "p99", "max", "min", "mean"),
                List.copyOf(((Map<?, ?>) map.get("input")).keySet()));
    }

    @Test
    void seesZeroTokenRowsOfAFileThatTheReaderWouldSkip() throws IOException {
        var file = TraceFiles.write(dir, "burst.csv", """
                Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
                0,ChatGPT,0,0,0,Conversation log
                10,ChatGPT,100,0,100,Conversation log
                20,GPT-4,50,30,80,Conversation log
                """);
        var stats = TraceStats.of(file);
        assertEquals(3, stats.rows());
        assertEquals(2, stats.zeroOutputRows());
        assertEquals(1, stats.zeroInputRows());
        assertEquals(0.0, stats.input().min());
        assertEquals(Map.of("file", "burst.csv", "kind", "burstgpt-csv"),
                Map.of("file", stats.toMap().get("file"), "kind", stats.toMap().get("kind")));
    }

    @Test
    void oneRequestHasNoRateAndNoGaps() {
        var stats = TraceStats.of(List.of(at(0, 5, 5)));
        assertEquals(0.0, stats.spanS());
        assertEquals(Double.NaN, stats.rateRps());
        assertEquals(Double.NaN, stats.cvIat());
        assertFalse(stats.prefix().isPresent());
    }

    @Test
    void refusesAnEmptyOrUnsortedTrace() {
        assertThrows(IllegalArgumentException.class, () -> TraceStats.of(List.of()));
        var e = assertThrows(IllegalArgumentException.class, () -> TraceStats.of(List.of(at(2, 1, 1), at(1, 1, 1))));
        assertEquals("requests must be in arrival order: request 0 arrives at 1000000000 ns, before the one before it "
                + "(2000000000 ns)", e.getMessage());
    }

    @Test
    void aTraceSpanningYearsNeedsNoCounterPerSecond() {
        // given: two arrivals 1e9 s apart (one counter per second was 4 GB)
        var stats = TraceStats.of(List.of(at(0, 5, 5), at(1e9, 5, 5)));
        // then: 1e9 complete 1-s bins holding 1, 0, 0, ...: mean m = 1e-9, variance m - m^2, so var / mean = 1 - m
        assertEquals(1 - 1e-9, stats.idxDisp1s(), EXACT);
        assertEquals(1 - 60 / 1e9, stats.idxDisp60s(), EXACT);
    }

    @Test
    void countsTheMalformedRowsItSkipsAndNamesTheFileOfABrokenGzip() throws IOException {
        // given: an Azure file with a malformed count, a row out of order and a short row among three good ones
        var file = TraceFiles.write(dir, "bad.csv", """
                TIMESTAMP,ContextTokens,GeneratedTokens
                2023-11-16 18:15:46.6805900,10,5
                2023-11-16 18:15:47.6805900,x,5
                2023-11-16 18:15:48.6805900,10,5
                2023-11-16 18:15:40.6805900,10,5
                2023-11-16 18:15:49.6805900,10
                2023-11-16 18:15:50.6805900,10,5
                """);
        var stats = TraceStats.of(file, TraceFormat.AZURE_CSV, ReadOptions.skippingBadRows());
        // then: 3 rows, and the three left out by reason (in the JSON too); without skipping there is no such key
        assertEquals(3, stats.rows());
        assertEquals(Map.of("wrong_column_count", 1L, "bad_value", 1L, "out_of_order", 1L), stats.toMap().get("rows_skipped"));
        assertFalse(TraceStats.of(List.of(at(0, 1, 1))).toMap().containsKey("rows_skipped"));
        // and: a cut .gz names its file
        var gz = dir.resolve("cut.csv.gz");
        var whole = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(whole)) {
            out.write(java.nio.file.Files.readAllBytes(file));
        }
        java.nio.file.Files.write(gz, java.util.Arrays.copyOf(whole.toByteArray(), whole.size() - 12));
        var e = assertThrows(IOException.class, () -> TraceStats.of(gz, TraceFormat.AZURE_CSV, ReadOptions.skippingBadRows()));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("cut.csv.gz: "), e.getMessage());
    }
}

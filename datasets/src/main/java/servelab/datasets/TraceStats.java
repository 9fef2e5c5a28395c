package servelab.datasets;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import servelab.datasets.internal.FormatDetector;
import servelab.datasets.internal.RawRow;
import servelab.datasets.internal.RowCursor;
import servelab.datasets.internal.RowParsers;

/**
 * Reference statistics of a trace, defined as in {@code shared/traces/README.md} and with the key names of its
 * {@code stats.json} files ({@link #toMap()}). Over the rows as the file has them: rows with 0 input or output
 * tokens count (they are what {@code zero_input_rows} and {@code zero_output_rows} report), whatever
 * {@link ReadOptions#zeroTokens()} says; malformed rows fail or are skipped as {@link ReadOptions#badRows()} says.
 *
 * <p>A value that is undefined for the trace (the rate of a one-row trace, a dispersion bin wider than the span)
 * is NaN here and {@code null} in {@link #toMap()}.
 *
 * @param file        file name, when computed from a file
 * @param kind        {@link TraceFormat#id()}, when computed from a file
 * @param rows        requests
 * @param spanS       last arrival minus first arrival, seconds
 * @param rateRps     rows / span
 * @param cvIat       population standard deviation / mean of inter-arrival gaps
 * @param zeroGapFrac fraction of inter-arrival gaps that are exactly 0
 * @param idxDisp1s   index of dispersion (variance / mean) of arrival counts in complete 1-second bins from the first
 *                    arrival ({@code floor(span / 1 s)} bins; later arrivals are not counted)
 * @param idxDisp3s   the same with 3-second bins
 * @param idxDisp60s  the same with 60-second bins
 * @param input       input-token distribution
 * @param output      output-token distribution
 * @param prefix      prefix-block statistics, when some row has prefix blocks
 * @param rowsSkipped malformed rows left out, by reason ({@code wrong_column_count}, {@code bad_value},
 *                    {@code out_of_order}), when the rows were read skipping bad ones; empty otherwise
 */
public record TraceStats(Optional<String> file, Optional<String> kind, long rows, double spanS, double rateRps,
                         double cvIat, double zeroGapFrac, double idxDisp1s, double idxDisp3s, double idxDisp60s,
                         TokenStats input, TokenStats output, long zeroOutputRows, long zeroInputRows,
                         Optional<PrefixStats> prefix, Map<String, Long> rowsSkipped) {

    public TraceStats {
        Objects.requireNonNull(file, "TraceStats.file");
        Objects.requireNonNull(kind, "TraceStats.kind");
        Objects.requireNonNull(input, "TraceStats.input");
        Objects.requireNonNull(output, "TraceStats.output");
        Objects.requireNonNull(prefix, "TraceStats.prefix");
        rowsSkipped = Collections.unmodifiableMap(new LinkedHashMap<>(rowsSkipped));
        if (rows < 1) throw new IllegalArgumentException("TraceStats.rows must be >= 1, was " + rows);
    }

    /**
     * Token counts: percentiles linear-interpolated as numpy's default ({@code numpy.percentile(x, p)}).
     */
    public record TokenStats(double p50, double p90, double p99, double max, double min, double mean) {
        Map<String, Object> toMap() {
            var map = new LinkedHashMap<String, Object>();
            map.put("p50", json(p50));
            map.put("p90", json(p90));
            map.put("p99", json(p99));
            map.put("max", json(max));
            map.put("min", json(min));
            map.put("mean", json(mean));
            return map;
        }
    }

    /**
     * Prefix-cache potential of traces with prefix blocks (Mooncake {@code hash_ids}), blocks taken in arrival
     * order and each request's blocks in order.
     *
     * @param avgBlocksPerReq   blocks / rows
     * @param blocksTotal       blocks over all rows
     * @param distinctHashIds   distinct block ids
     * @param infHitRatioBlocks fraction of blocks whose id was seen earlier in the trace (an infinite cache)
     * @param infHitRatioTokens the same weighted by the tokens each block covers (the last block of a request may
     *                          be partial: block i covers {@code min(blockTokens, input - i * blockTokens)})
     * @param lru               hit ratios of LRU caches of K distinct blocks, for K = 1,000, 10,000, 100,000
     */
    public record PrefixStats(double avgBlocksPerReq, long blocksTotal, long distinctHashIds, double infHitRatioBlocks,
                              double infHitRatioTokens, List<LruHitRatio> lru) {
        public PrefixStats {
            lru = List.copyOf(lru);
        }
    }

    /**
     * @param capacityBlocks K, the distinct blocks the cache holds
     * @param any            fraction of blocks found in the cache when used
     * @param prefix         fraction of blocks found in the cache before the request's first miss (reusable as a
     *                       prefix); equals {@code any} when ids chain, as Mooncake's do
     */
    public record LruHitRatio(int capacityBlocks, double any, double prefix) {
    }

    /** Statistics of {@code file}, format detected, failing on malformed rows. */
    public static TraceStats of(Path file) throws IOException {
        return of(file, Traces.detectFormat(file), ReadOptions.DEFAULT);
    }

    /** Statistics of {@code file} read as {@code format}; only {@link ReadOptions#badRows()} and the tenant column apply. */
    public static TraceStats of(Path file, TraceFormat format, ReadOptions options) throws IOException {
        var stats = new StatsAccumulator();
        var row = new RawRow();
        var name = FormatDetector.fileName(file);
        var skipped = new LinkedHashMap<String, Long>();
        try (var rows = new RowCursor(RowParsers.open(file, format, options), options.badRows())) {
            while (rows.next(row)) {
                stats.add(row.timeNanos, row.inputTokens, row.outputTokens, row.prefixBlockIds, row.prefixBlockTokens);
            }
            if (stats.rows() == 0) {
                throw TraceFormatException.ofFile(name, "the trace has no requests"
                        + (rows.skipped().isEmpty() ? " (no data rows)" : ": every row was skipped\n" + rows.skippedSummary()));
            }
            if (options.badRows() == ReadOptions.BadRows.SKIP) {
                for (var reason : SkipReason.values()) { // rows of 0 tokens are rows here: never skipped
                    if (reason != SkipReason.ZERO_TOKENS) {
                        skipped.put(reason.name().toLowerCase(java.util.Locale.ROOT), rows.skipped().getOrDefault(reason, 0L));
                    }
                }
            }
        } catch (IOException e) { // a cut or false .gz, a read error: the file's name with the cause
            throw new IOException(name + ": " + e.getMessage(), e);
        }
        return stats.finish(Optional.of(name), Optional.of(format.id())).withRowsSkipped(skipped);
    }

    /** These statistics, with the malformed rows left out by reason. */
    public TraceStats withRowsSkipped(Map<String, Long> skipped) {
        return new TraceStats(file, kind, rows, spanS, rateRps, cvIat, zeroGapFrac, idxDisp1s, idxDisp3s, idxDisp60s,
                input, output, zeroOutputRows, zeroInputRows, prefix, skipped);
    }

    /** Statistics of requests in arrival order (a generated or transformed trace); at least one. */
    public static TraceStats of(Iterable<TraceRequest> requests) {
        var stats = new StatsAccumulator();
        long previous = Long.MIN_VALUE;
        for (var r : requests) {
            if (r.arrivalNanos() < previous) {
                throw new IllegalArgumentException("requests must be in arrival order: request " + r.id()
                        + " arrives at " + r.arrivalNanos() + " ns, before the one before it (" + previous + " ns)");
            }
            previous = r.arrivalNanos();
            stats.add(r.arrivalNanos(), r.inputTokens(), r.outputTokens(), r.prefixBlockIds(), r.prefixBlockTokens());
        }
        if (stats.rows() == 0) throw new IllegalArgumentException("statistics need at least one request, got none");
        return stats.finish(Optional.empty(), Optional.empty());
    }

    /**
     * The statistics as {@code stats.json} has them: same keys, same order, nested {@code input}/{@code output}
     * maps, prefix keys only when there are prefix blocks; numbers as Long or Double, undefined values as null.
     */
    public Map<String, Object> toMap() {
        var map = new LinkedHashMap<String, Object>();
        file.ifPresent(f -> map.put("file", f));
        kind.ifPresent(k -> map.put("kind", k));
        map.put("rows", rows);
        map.put("span_s", json(spanS));
        map.put("rate_rps", json(rateRps));
        map.put("cv_iat", json(cvIat));
        map.put("zero_gap_frac", json(zeroGapFrac));
        map.put("idx_disp_1s", json(idxDisp1s));
        map.put("idx_disp_3s", json(idxDisp3s));
        map.put("idx_disp_60s", json(idxDisp60s));
        map.put("input", input.toMap());
        map.put("output", output.toMap());
        map.put("zero_output_rows", zeroOutputRows);
        map.put("zero_input_rows", zeroInputRows);
        prefix.ifPresent(p -> {
            map.put("avg_blocks_per_req", json(p.avgBlocksPerReq()));
            map.put("blocks_total", p.blocksTotal());
            map.put("distinct_hash_ids", p.distinctHashIds());
            map.put("inf_hit_ratio_blocks", json(p.infHitRatioBlocks()));
            map.put("inf_hit_ratio_tokens", json(p.infHitRatioTokens()));
            for (var lru : p.lru()) {
                map.put("lru" + lru.capacityBlocks() + "_any", json(lru.any()));
                map.put("lru" + lru.capacityBlocks() + "_prefix", json(lru.prefix()));
            }
        });
        if (!rowsSkipped.isEmpty()) map.put("rows_skipped", rowsSkipped); // not a reference key: only when skipping
        return map;
    }

    /** JSON has no NaN or infinity: undefined values become null. */
    private static Double json(double value) {
        return Double.isFinite(value) ? value : null;
    }
}

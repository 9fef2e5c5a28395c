package servelab.datasets;

import java.util.ArrayList;
import java.util.Optional;

import servelab.common.collect.LongSet;

/**
 * Computes {@link TraceStats} in one pass over rows in arrival order, in memory that grows with the distinct block
 * ids, not with the rows or the span (a bin's count is folded into sums when the next bin starts). Definitions are those of the reference
 * statistics in {@code shared/traces/README.md}; the comments on each method say which.
 */
final class StatsAccumulator {
    /** Bin widths of the index of dispersion, in seconds: the {@code idx_disp_1s/3s/60s} keys. */
    private static final long[] BIN_SECONDS = {1, 3, 60};
    /** LRU capacities of the {@code lru<K>_any} and {@code lru<K>_prefix} keys, in blocks. */
    private static final int[] LRU_CAPACITIES = {1_000, 10_000, 100_000};
    private static final double NANOS_PER_SECOND = 1e9;

    private long rows;
    private long firstNanos;
    private long lastNanos;
    private long zeroGaps;
    private double gapMean;
    private double gapSquares;
    /** Per bin width: the bin the last row fell in, its count so far, and the sums over the bins before it. */
    private final long[] openBin = new long[BIN_SECONDS.length];
    private final long[] openCount = new long[BIN_SECONDS.length];
    private final long[] closedSum = new long[BIN_SECONDS.length];
    private final long[] closedSquares = new long[BIN_SECONDS.length];
    private final TokenDistribution input = new TokenDistribution();
    private final TokenDistribution output = new TokenDistribution();
    private long zeroInputRows;
    private long zeroOutputRows;
    private long blocksTotal;
    private long blockHits;
    private long tokensTotal;
    private long tokenHits;
    private final LongSet seenBlocks = new LongSet(1 << 11);
    private final LruBlockCache[] lru = new LruBlockCache[LRU_CAPACITIES.length];

    StatsAccumulator() {
        for (int i = 0; i < lru.length; i++) lru[i] = new LruBlockCache(LRU_CAPACITIES[i]);
    }

    /** Adds one row; {@code timeNanos} must not be earlier than the previous row's. */
    void add(long timeNanos, int inputTokens, int outputTokens, long[] prefixBlockIds, int prefixBlockTokens) {
        if (rows == 0) firstNanos = timeNanos;
        else addGap(timeNanos - lastNanos);
        lastNanos = timeNanos;
        rows++;
        countInBins(timeNanos - firstNanos);
        input.add(inputTokens);
        output.add(outputTokens);
        if (inputTokens == 0) zeroInputRows++;
        if (outputTokens == 0) zeroOutputRows++;
        if (prefixBlockIds.length > 0) addBlocks(inputTokens, prefixBlockIds, prefixBlockTokens);
    }

    /** Welford's running mean and sum of squared deviations of the inter-arrival gaps, in seconds. */
    private void addGap(long gapNanos) {
        if (gapNanos == 0) zeroGaps++;
        double gap = gapNanos / NANOS_PER_SECOND;
        long count = rows;
        double delta = gap - gapMean;
        gapMean += delta / count;
        gapSquares += delta * (gap - gapMean);
    }

    private void countInBins(long sinceFirstNanos) {
        for (int b = 0; b < BIN_SECONDS.length; b++) {
            long bin = sinceFirstNanos / (BIN_SECONDS[b] * 1_000_000_000L);
            if (bin != openBin[b]) { // rows come in order: the open bin is complete, and so is every empty one between
                closedSum[b] += openCount[b];
                closedSquares[b] += openCount[b] * openCount[b];
                openBin[b] = bin;
                openCount[b] = 0;
            }
            openCount[b]++;
        }
    }

    /**
     * Infinite cache: a block hits when its id was seen earlier in the trace (in arrival order, each request's
     * blocks in order). Token-weighted, block i of a request weighs {@code min(blockTokens, input - i * blockTokens)}
     * tokens, so the last, partial block counts only its tokens.
     */
    private void addBlocks(int inputTokens, long[] ids, int blockTokens) {
        for (var cache : lru) cache.startRequest();
        for (int i = 0; i < ids.length; i++) {
            long weight = Math.max(0, Math.min(blockTokens, inputTokens - (long) i * blockTokens));
            blocksTotal++;
            tokensTotal += weight;
            if (!seenBlocks.add(ids[i])) {
                blockHits++;
                tokenHits += weight;
            }
            for (var cache : lru) cache.use(ids[i]);
        }
    }

    long rows() {
        return rows;
    }

    TraceStats finish(Optional<String> file, Optional<String> kind) {
        if (rows == 0) throw new IllegalStateException("no rows: statistics need at least one request");
        double span = (lastNanos - firstNanos) / NANOS_PER_SECOND;
        long gaps = rows - 1;
        double cv = gaps == 0 ? Double.NaN : Math.sqrt(gapSquares / gaps) / gapMean;
        return new TraceStats(file, kind, rows, span, span > 0 ? rows / span : Double.NaN, cv,
                gaps == 0 ? Double.NaN : (double) zeroGaps / gaps,
                indexOfDispersion(0), indexOfDispersion(1), indexOfDispersion(2),
                tokenStats(input), tokenStats(output), zeroOutputRows, zeroInputRows, prefixStats(), java.util.Map.of());
    }

    /**
     * Variance over mean (population variance) of arrival counts in the {@code floor(span / width)} complete bins
     * {@code [k * width, (k + 1) * width)} after the first arrival; arrivals after the last complete bin are left
     * out, so a partly covered bin does not drag the mean down. NaN when the span is shorter than one bin.
     */
    private double indexOfDispersion(int b) {
        long bins = (lastNanos - firstNanos) / (BIN_SECONDS[b] * 1_000_000_000L);
        if (bins == 0) return Double.NaN;
        // the last row's bin is number `bins` itself, the partly covered one: the closed sums are exactly bins
        // 0 .. bins - 1 (empty ones add nothing); variance / mean = (B * sum(c^2) - (sum c)^2) / (B * sum c), exact
        var sum = java.math.BigInteger.valueOf(closedSum[b]);
        var big = java.math.BigInteger.valueOf(bins);
        var numerator = big.multiply(java.math.BigInteger.valueOf(closedSquares[b])).subtract(sum.multiply(sum));
        var denominator = big.multiply(sum);
        return new java.math.BigDecimal(numerator).divide(new java.math.BigDecimal(denominator),
                java.math.MathContext.DECIMAL128).doubleValue();
    }

    private static TraceStats.TokenStats tokenStats(TokenDistribution d) {
        return new TraceStats.TokenStats(d.percentile(50), d.percentile(90), d.percentile(99), d.max(), d.min(),
                d.mean());
    }

    private Optional<TraceStats.PrefixStats> prefixStats() {
        if (blocksTotal == 0) return Optional.empty();
        var lruRatios = new ArrayList<TraceStats.LruHitRatio>();
        for (var cache : lru) {
            lruRatios.add(new TraceStats.LruHitRatio(cache.capacity(), (double) cache.hitsAny() / blocksTotal,
                    (double) cache.hitsPrefix() / blocksTotal));
        }
        return Optional.of(new TraceStats.PrefixStats((double) blocksTotal / rows, blocksTotal, seenBlocks.size(),
                (double) blockHits / blocksTotal, tokensTotal == 0 ? Double.NaN : (double) tokenHits / tokensTotal,
                lruRatios));
    }
}

package servelab.datasets;

import java.util.Arrays;

/**
 * Exact order statistics of token counts in memory bounded by the largest count, not by the number of rows:
 * values below 4M are counted in a dense histogram, larger ones (rare) kept in a list. Percentiles follow
 * numpy's default ({@code method="linear"}, Hyndman and Fan type 7), including its floating-point steps, so the
 * results match {@code numpy.percentile} to the last bit in practice.
 */
final class TokenDistribution {
    private static final int DENSE_LIMIT = 1 << 22;

    private int[] counts = new int[1024];
    private int[] large = new int[0];
    private int largeCount;
    private boolean largeSorted = true;
    private long n;
    private long sum;
    private int min = Integer.MAX_VALUE;
    private int max = Integer.MIN_VALUE;

    void add(int value) {
        if (value < DENSE_LIMIT) {
            if (value >= counts.length) counts = Arrays.copyOf(counts, Math.min(DENSE_LIMIT, Integer.highestOneBit(value) * 2));
            counts[value]++;
        } else {
            if (largeCount == large.length) large = Arrays.copyOf(large, Math.max(16, largeCount * 2));
            large[largeCount++] = value;
            largeSorted = false;
        }
        n++;
        sum += value;
        min = Math.min(min, value);
        max = Math.max(max, value);
    }

    long count() {
        return n;
    }

    double mean() {
        return (double) sum / n;
    }

    int min() {
        return min;
    }

    int max() {
        return max;
    }

    /**
     * numpy's linear percentile: virtual index {@code (n - 1) * q}, then
     * {@code _lerp(a, b, t) = a + (b - a) * t}, computed as {@code b - (b - a) * (1 - t)} when {@code t >= 0.5}.
     */
    double percentile(double percent) {
        double q = percent / 100.0;
        double virtualIndex = (n - 1) * q;
        double below = Math.floor(virtualIndex);
        long previous = Math.clamp((long) below, 0, n - 1);
        long next = Math.clamp((long) below + 1, 0, n - 1);
        double t = virtualIndex - below;
        double a = valueAtRank(previous);
        double b = valueAtRank(next);
        double diff = b - a;
        return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
    }

    /** The value at 0-based position {@code rank} of the sorted values. */
    private int valueAtRank(long rank) {
        long seen = 0;
        for (int value = 0; value < counts.length; value++) {
            seen += counts[value];
            if (seen > rank) return value;
        }
        if (!largeSorted) {
            Arrays.sort(large, 0, largeCount);
            largeSorted = true;
        }
        return large[(int) (rank - seen)];
    }
}

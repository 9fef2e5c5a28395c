package servelab.runtime.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * The {@link Stats} of one metric's values, exact, in bounded memory. Up to {@code inMemory} values are kept and
 * {@link Stats#of sorted}, as for any ordinary run. Past that (a million requests pool a few hundred million ITL
 * gaps) the values are dropped and the percentiles are found by radix selection over further passes of the
 * source: each value's bits, mapped so unsigned order is numeric order, are narrowed 16 bits a pass (a histogram of
 * 65,536 counts per wanted rank) until the bucket holding a wanted rank is small enough to collect and sort, or is
 * one value. Percentiles are then exactly what sorting would give; the mean and standard deviation are summed in
 * the source's order rather than sorted order, so they may differ from the in-memory figures in the last bits.
 *
 * <p>Cost: memory O(inMemory + 65,536 per distinct pending bucket + collected buckets), time one extra pass for
 * the deviation plus one per 16 bits narrowed (usually 1-3 passes).
 */
final class ManyValues {

    /** Values kept in memory before selecting by passes: 32 MB of doubles. */
    static final int DEFAULT_IN_MEMORY = 1 << 22;

    /** Reads every value again, in the same order as the first time. */
    @FunctionalInterface
    interface Source {
        void forEach(DoubleConsumer each) throws IOException;
    }

    private static final int DIGIT_BITS = 16;
    private static final int BUCKETS = 1 << DIGIT_BITS;

    private final int inMemory;
    private final int collect;
    private double[] values = new double[64];
    private int size;
    private long[] top; // counts by the top 16 bits of each value's key, once past inMemory
    private long count;
    private double sum;

    ManyValues() {
        this(DEFAULT_IN_MEMORY, 1 << 20);
    }

    /**
     * @param inMemory values kept before switching to passes
     * @param collect  a bucket of at most this many values is collected and sorted instead of narrowed further
     */
    ManyValues(int inMemory, int collect) {
        this.inMemory = inMemory;
        this.collect = collect;
    }

    void add(double x) {
        count++;
        sum += x;
        if (top != null) {
            top[digit(key(x), 0)]++;
        } else if (size < inMemory) {
            if (size == values.length) values = Arrays.copyOf(values, Math.min(inMemory, size * 2));
            values[size++] = x;
        } else {
            top = new long[BUCKETS];
            for (int i = 0; i < size; i++) top[digit(key(values[i]), 0)]++;
            top[digit(key(x), 0)]++;
            values = null;
        }
    }

    /** As {@link #add} of each value in order (the same count, sum and values), copied at once while they fit. */
    void addAll(double[] xs) {
        if (top != null || size + xs.length > inMemory) {
            for (double x : xs) add(x);
            return;
        }
        if (size + xs.length > values.length) {
            values = Arrays.copyOf(values, Math.min(inMemory, Math.max(size + xs.length, values.length * 2)));
        }
        System.arraycopy(xs, 0, values, size, xs.length);
        size += xs.length;
        count += xs.length;
        for (double x : xs) sum += x;
    }

    /** The figures; {@code again} is read only when the values did not fit in memory. */
    Stats stats(Source again) throws IOException {
        if (top == null) return Stats.of(Arrays.copyOf(values, size));
        double mean = sum / count;
        double[] ranks = {50 * (count - 1) / 100.0, 90 * (count - 1) / 100.0, 99 * (count - 1) / 100.0};
        var wanted = new LinkedHashMap<Long, Target>();
        for (double rank : ranks) {
            long lo = (long) Math.floor(rank);
            wanted.computeIfAbsent(lo, Target::new);
            wanted.computeIfAbsent(Math.min(lo + 1, count - 1), Target::new);
        }
        for (var t : wanted.values()) t.narrow(top, 0);
        double squares = select(List.copyOf(wanted.values()), again, mean);
        double[] p = new double[3];
        for (int i = 0; i < 3; i++) {
            long lo = (long) Math.floor(ranks[i]);
            double a = wanted.get(lo).value, b = wanted.get(Math.min(lo + 1, count - 1)).value;
            p[i] = a + (b - a) * (ranks[i] - lo);
        }
        return new Stats(Math.toIntExact(count), mean, p[0], Math.sqrt(squares / count), p[1], p[2]);
    }

    /** Passes over {@code again} until every target has its value; returns the sum of squared deviations. */
    private double select(List<Target> targets, Source again, double mean) throws IOException {
        double[] squares = {0};
        boolean first = true;
        while (true) {
            var pending = new LinkedHashMap<Long, Bucket>(); // by level-tagged prefix: targets sharing a bucket share it
            for (var t : targets) {
                if (!t.done) pending.computeIfAbsent(t.prefix * 8 + t.level, k -> new Bucket(t, collect)).targets.add(t);
            }
            if (pending.isEmpty() && !first) return squares[0];
            var buckets = pending.values().toArray(Bucket[]::new);
            boolean deviations = first; // the first extra pass also sums the squared deviations from the mean
            again.forEach(x -> {
                if (deviations) squares[0] += (x - mean) * (x - mean);
                long k = key(x);
                for (var b : buckets) b.offer(k, x);
            });
            first = false;
            for (var b : buckets) b.resolve();
        }
    }

    /** A rank whose value is being narrowed down: the top {@code 16 * level} bits of its key are known. */
    private static final class Target {
        final long rank;
        long remaining; // rank among the values of the known prefix
        long prefix;
        int level;
        long inBucket;
        boolean done;
        double value;

        Target(long rank) {
            this.rank = rank;
            this.remaining = rank;
        }

        /** Moves to the bucket of {@code counts} (by the digit at {@code level}) that holds the remaining rank. */
        void narrow(long[] counts, int digitLevel) {
            int b = 0;
            while (remaining >= counts[b]) remaining -= counts[b++];
            prefix = (prefix << DIGIT_BITS) | b;
            level = digitLevel + 1;
            inBucket = counts[b];
            if (level * DIGIT_BITS == Long.SIZE) {
                value = value(prefix);
                done = true;
            }
        }
    }

    /** The values of one pending prefix in a pass: a histogram of their next digit, or the values themselves. */
    private static final class Bucket {
        final List<Target> targets = new ArrayList<>();
        final int level;
        final long prefix;
        final long[] counts;
        final double[] collected;
        int size;

        Bucket(Target t, int collect) {
            this.level = t.level;
            this.prefix = t.prefix;
            boolean small = t.inBucket <= collect;
            this.counts = small ? null : new long[BUCKETS];
            this.collected = small ? new double[(int) t.inBucket] : null;
        }

        void offer(long key, double x) {
            if (key >>> (Long.SIZE - DIGIT_BITS * level) != prefix) return;
            if (counts != null) counts[digit(key, level)]++;
            else collected[size++] = x;
        }

        void resolve() {
            if (collected != null) Arrays.sort(collected);
            for (var t : targets) {
                if (collected != null) {
                    t.value = collected[(int) t.remaining];
                    t.done = true;
                } else {
                    t.narrow(counts, level);
                }
            }
        }
    }

    /** The value's bits mapped so that unsigned order is {@link Arrays#sort(double[])}'s order (NaN last). */
    static long key(double x) {
        long bits = Double.doubleToLongBits(x);
        return bits ^ ((bits >> 63) | Long.MIN_VALUE);
    }

    static double value(long key) {
        return Double.longBitsToDouble(key < 0 ? key ^ Long.MIN_VALUE : ~key);
    }

    private static int digit(long key, int level) {
        return (int) (key >>> (Long.SIZE - DIGIT_BITS * (level + 1))) & (BUCKETS - 1);
    }
}

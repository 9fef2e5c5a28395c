package servelab.schedulers.common;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.ToLongFunction;

import servelab.api.sched.SeqView;

/**
 * Stable ordering by one precomputed key. Each key is computed once per sequence (a comparator would compute it
 * about 2 log n times, which matters for predictors), and ties keep the list's order. Since the engine keeps the
 * waiting queue by arrival (then id) and the running queue by first schedule, a tie-break by list position is a
 * tie-break by arrival, so one {@code long} key is enough for every sort-based scheduler here.
 */
public final class Rank {
    private Rank() {}

    /**
     * {@code seqs} ordered by ascending {@code key}, ties in list order. Returns {@code seqs} itself when it is
     * already in order. O(n log n) time, O(n) extra space.
     */
    public static List<SeqView> byKey(List<SeqView> seqs, ToLongFunction<SeqView> key) {
        int n = seqs.size();
        if (n < 2) return seqs;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) keys[i] = key.applyAsLong(seqs.get(i));
        return byKeys(seqs, keys);
    }

    /** {@code seqs} ordered by ascending {@code keys[i]} (the key of {@code seqs.get(i)}), ties in list order. */
    public static List<SeqView> byKeys(List<SeqView> seqs, long[] keys) {
        int n = seqs.size();
        if (keys.length != n) {
            throw new IllegalArgumentException("Rank.byKeys needs one key per sequence: " + keys.length + " keys, "
                    + n + " sequences");
        }
        boolean sorted = true;
        for (int i = 1; i < n && sorted; i++) sorted = keys[i] >= keys[i - 1];
        if (sorted) return seqs;
        int[] order = order(keys);
        var out = new SeqView[n];
        for (int i = 0; i < n; i++) out[i] = seqs.get(order[i]);
        return Collections.unmodifiableList(Arrays.asList(out));
    }

    /** Positions 0..n-1 by ascending key, ties by position: a bottom-up merge sort, which is stable. */
    static int[] order(long[] keys) {
        int n = keys.length;
        int[] a = new int[n];
        int[] b = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int width = 1; width < n; width *= 2) {
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int i = lo, j = mid, k = lo;
                while (i < mid && j < hi) b[k++] = keys[a[j]] < keys[a[i]] ? a[j++] : a[i++]; // left wins ties
                while (i < mid) b[k++] = a[i++];
                while (j < hi) b[k++] = a[j++];
            }
            int[] t = a;
            a = b;
            b = t;
        }
        return a;
    }
}

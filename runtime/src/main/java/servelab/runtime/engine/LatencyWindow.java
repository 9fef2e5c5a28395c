package servelab.runtime.engine;

import java.util.Arrays;

/**
 * Latencies of the last {@code size} answered attempts, for {@code GatewayView.recentLatencyNanos}. Adding is O(1);
 * a quantile sorts a copy once per change of the window (O(size log size)) and is then O(1) until the next answer.
 */
final class LatencyWindow {
    private final long[] ring;
    private long[] sorted = new long[0];
    private int count;
    private int next;
    private boolean dirty;

    LatencyWindow(int size) {
        ring = new long[size];
    }

    void add(long latencyNanos) {
        ring[next] = latencyNanos;
        next = (next + 1) % ring.length;
        count = Math.min(count + 1, ring.length);
        dirty = true;
    }

    /** The nearest-rank {@code quantile} (0 to 1) of the window; 0 while it is empty. */
    long quantile(double quantile) {
        if (!(quantile >= 0 && quantile <= 1)) {
            throw new IllegalArgumentException("recentLatencyNanos: quantile must be in [0, 1], was " + quantile);
        }
        if (count == 0) return 0;
        if (dirty) {
            sorted = Arrays.copyOf(ring, count);
            Arrays.sort(sorted);
            dirty = false;
        }
        int rank = (int) Math.ceil(quantile * count);
        return sorted[Math.max(0, rank - 1)];
    }
}

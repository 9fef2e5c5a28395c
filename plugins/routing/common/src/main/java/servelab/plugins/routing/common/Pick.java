package servelab.plugins.routing.common;

import java.util.List;
import java.util.function.ToLongFunction;

import servelab.api.route.ReplicaView;

/** Choosing among replica views without allocating: the smallest load, skipping unavailable replicas. */
public final class Pick {
    private Pick() {}

    /**
     * The position of the available replica with the smallest {@code load}; ties go to the first one scanning from
     * position {@code start} (wrapping), so a caller that rotates {@code start} spreads ties instead of piling them
     * on replica 0. When no replica is available, the smallest load among all. O(n).
     */
    public static int leastLoaded(List<ReplicaView> replicas, int start, ToLongFunction<ReplicaView> load) {
        int n = replicas.size();
        int best = -1;
        long bestLoad = Long.MAX_VALUE;
        boolean bestAvailable = false;
        for (int k = 0; k < n; k++) {
            int i = start + k;
            if (i >= n) i -= n;
            var r = replicas.get(i);
            boolean available = r.isAvailable();
            if (bestAvailable && !available) continue;
            long l = load.applyAsLong(r);
            if (best < 0 || (available && !bestAvailable) || l < bestLoad) {
                best = i;
                bestLoad = l;
                bestAvailable = available;
            }
        }
        return best;
    }

    /** Outstanding work in requests: waiting plus running. */
    public static long requests(ReplicaView r) {
        return r.queuedRequests();
    }

    /** Outstanding work in tokens: prefill queued plus the context of running requests. */
    public static long tokens(ReplicaView r) {
        return r.waitingTokens() + r.runningTokens();
    }

    /** Number of available replicas. O(n). */
    public static int available(List<ReplicaView> replicas) {
        int count = 0;
        for (int i = 0, n = replicas.size(); i < n; i++) if (replicas.get(i).isAvailable()) count++;
        return count;
    }
}

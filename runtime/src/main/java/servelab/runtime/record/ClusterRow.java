package servelab.runtime.record;

/**
 * One replica's state at one tick of the cluster time series ({@code cluster.arrow}), or the cluster's front
 * (router and network) when {@code replica} is -1. Counts over the interval are since the previous tick.
 *
 * @param timeNanos          tick time on the run clock
 * @param replica            replica index, -1 for the router and the network in front of the replicas
 * @param group              replica group name ({@code ""} for the front)
 * @param waiting            requests waiting on the replica (as of its last step)
 * @param running            requests in its running batch (as of its last step)
 * @param inSystem           requests routed to it (or, for the front, arrived and not yet routed) whose response
 *                           the client has not yet received
 * @param kvBlocksUsed       KV blocks referenced by requests (as of its last step)
 * @param kvBlocksTotal      the replica's KV blocks
 * @param prefixQueryTokens  tokens looked up in its prefix cache during the interval
 * @param prefixHitTokens    of them, served from the cache
 * @param tokens             prompt and output tokens computed during the interval
 * @param intervalNanos      length of the interval the counts cover
 * @param requestsInSystem   the front's row: requests that have arrived and whose client has not yet heard the
 *                           outcome, N(t) of Little's law (a hedged request once, a request waiting out a retry's
 *                           backoff or an answer that was lost too, which no {@code inSystem} counts); -1 on
 *                           replicas' rows
 */
public record ClusterRow(long timeNanos, int replica, String group, int waiting, int running, int inSystem,
                         int kvBlocksUsed, int kvBlocksTotal, long prefixQueryTokens, long prefixHitTokens,
                         long tokens, long intervalNanos, int requestsInSystem) {
    public ClusterRow {
        java.util.Objects.requireNonNull(group, "ClusterRow.group");
        if (timeNanos < 0) throw new IllegalArgumentException("ClusterRow.timeNanos must be >= 0, was " + timeNanos);
        if (replica < -1) throw new IllegalArgumentException("ClusterRow.replica must be >= -1, was " + replica);
        if (inSystem < 0) throw new IllegalArgumentException("ClusterRow.inSystem must be >= 0, was " + inSystem);
        if (requestsInSystem < -1 || (replica == -1) != (requestsInSystem >= 0)) {
            throw new IllegalArgumentException("ClusterRow.requestsInSystem must be >= 0 on the front's row and -1 on a "
                    + "replica's, was " + requestsInSystem + " for replica " + replica);
        }
        if (intervalNanos <= 0) {
            throw new IllegalArgumentException("ClusterRow.intervalNanos must be > 0, was " + intervalNanos);
        }
    }

    /** Hits over queries in the interval; NaN when nothing was looked up. */
    public double prefixHitRatio() {
        return prefixQueryTokens == 0 ? Double.NaN : (double) prefixHitTokens / prefixQueryTokens;
    }

    /** Tokens computed per second of the interval. */
    public double tokensPerSecond() {
        return tokens * 1e9 / intervalNanos;
    }
}

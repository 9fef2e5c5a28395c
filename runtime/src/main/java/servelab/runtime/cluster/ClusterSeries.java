package servelab.runtime.cluster;

import java.util.List;
import java.util.function.Consumer;

import servelab.runtime.record.ClusterRow;

/**
 * The cluster time series (cluster.arrow): every {@code record.cluster_interval_ms} one row per replica and one for
 * the front (requests at or before the router, and responses on their way back to clients). The rows' in-system
 * counts are copies (an attempt or a hedge routed to a replica, one at the router, an answer on its way back); the
 * front's {@code requests_in_system} counts requests, every one that has arrived and whose client has not yet heard
 * the outcome, which is the N(t) of Little's law: the summary averages it over the ticks and checks it against
 * arrival rate times mean time in system, taken from the request rows. (The copies' sum counted a hedged request
 * twice and missed one waiting out a retry's backoff or a lost answer: a ratio of 1.58 with hedges, 0.59 with
 * lost answers.)
 */
public final class ClusterSeries {
    private final List<? extends LiveReplica> live;
    private final LoadBoard board;
    private final List<String> groups;
    private final long intervalNanos;
    private final Consumer<ClusterRow> out;
    private final long[] queryTokens, hitTokens, tokens;
    private final LongHeap returning = new LongHeap();
    private int atFront;
    /** Requests that arrived; requests whose client heard the outcome (responses taken off {@link #returning}). */
    private long requestsArrived, requestsHeard;
    private long nextTick;
    /**
     * The most ticks one jump of the clock may write (11.6 days of 100 ms ticks): a network delay of 1e12 ms, or a
     * trace slowed 1e8 times, wrote rows for years of idle time, and the run never ended.
     */
    static final long MAX_GAP_TICKS = 10_000_000;
    /** The most rows one jump may write, every replica's (1,000 replicas and an 11-day gap would be 10^10 rows). */
    static final long MAX_GAP_ROWS = 100_000_000;

    public ClusterSeries(List<? extends LiveReplica> live, LoadBoard board, List<String> groups, long intervalNanos,
                         Consumer<ClusterRow> out) {
        if (intervalNanos <= 0) throw new IllegalArgumentException("cluster interval must be > 0 ns, was " + intervalNanos);
        if (groups.size() != live.size()) throw new IllegalArgumentException("one group name per replica");
        this.live = List.copyOf(live);
        this.board = board;
        this.groups = List.copyOf(groups);
        this.intervalNanos = intervalNanos;
        this.out = out;
        int n = live.size();
        queryTokens = new long[n];
        hitTokens = new long[n];
        tokens = new long[n];
    }

    /** A replica finished a step. */
    public void stepped(int replica, long prefixQueryTokens, long prefixHitTokens, long computedTokens) {
        queryTokens[replica] += prefixQueryTokens;
        hitTokens[replica] += prefixHitTokens;
        tokens[replica] += computedTokens;
    }

    /** An attempt (a first try, a retry or a hedge) arrived from its client. */
    public void arrived() {
        atFront++;
    }

    /** A request arrived: it is in the system until its client hears the outcome ({@link #responding}). */
    public void requestArrived() {
        requestsArrived++;
    }

    /** The router sent a request on (or turned it away). */
    public void leftRouter() {
        atFront--;
    }

    /** The client will hear a request's outcome at {@code clientNanos} (it is on the network until then). */
    public void responding(long clientNanos) {
        returning.add(clientNanos);
    }

    /** Writes every tick at or before {@code nanos} (state as it was before anything at that time happened). */
    public void advanceTo(long nanos) {
        long ticks = nextTick <= nanos ? (nanos - nextTick) / intervalNanos : 0;
        if (ticks >= MAX_GAP_TICKS || ticks * (live.size() + 1) >= MAX_GAP_ROWS) { // years of idle rows: hours of writing
            throw new servelab.runtime.engine.EngineException("cluster.arrow: the next event, at " + nanos / 1e9 + " s, is "
                    + (nanos - nextTick) / intervalNanos + " ticks of record.cluster_interval_ms (" + intervalNanos / 1e6
                    + " ms) after the last row, at " + (nextTick - intervalNanos) / 1e9 + " s, and each tick writes "
                    + (live.size() + 1) + " rows: give record.cluster_interval_ms a value that spans such gaps in fewer "
                    + "than " + Math.min(MAX_GAP_TICKS, MAX_GAP_ROWS / (live.size() + 1)) + " ticks");
        }
        while (nextTick <= nanos) {
            emit(nextTick);
            nextTick += intervalNanos;
        }
    }

    /**
     * Writes the ticks up to the run's end (the last step or the last response's arrival, whichever is later), and
     * one more on the grid after it when anything happened after the last tick written (the final partial interval:
     * its steps' tokens, and the responses still on their way), so the series covers the whole run.
     */
    public void finish(long endNanos) {
        advanceTo(endNanos);
        if (endNanos > nextTick - intervalNanos || pendingCounts()) {
            emit(nextTick);
            nextTick += intervalNanos;
        }
    }

    private boolean pendingCounts() {
        for (int i = 0; i < tokens.length; i++) {
            if (queryTokens[i] != 0 || hitTokens[i] != 0 || tokens[i] != 0) return true;
        }
        return false;
    }

    private void emit(long t) {
        while (!returning.isEmpty() && returning.peek() <= t) {
            returning.poll();
            requestsHeard++;
        }
        out.accept(new ClusterRow(t, -1, "", 0, 0, atFront + returning.size(), 0, 0, 0, 0, 0, intervalNanos,
                Math.toIntExact(requestsArrived - requestsHeard)));
        for (int i = 0; i < live.size(); i++) {
            var r = live.get(i);
            out.accept(new ClusterRow(t, i, groups.get(i), r.waitingRequests(), r.runningRequests(),
                    board.inFlight(i), r.totalBlocks() - r.freeBlocks(), r.totalBlocks(), queryTokens[i],
                    hitTokens[i], tokens[i], intervalNanos, -1));
            queryTokens[i] = hitTokens[i] = tokens[i] = 0;
        }
    }
}

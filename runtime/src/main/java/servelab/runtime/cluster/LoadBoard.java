package servelab.runtime.cluster;

import java.util.Arrays;
import java.util.List;

/**
 * The router's picture of replica load. Two sources, refreshed differently:
 * <ul>
 *   <li>what replicas report (waiting and running requests and tokens, KV use, recent TTFT and ITL) is copied into
 *       a snapshot every {@code view_refresh_ms}, as a router that scrapes metrics sees it; with a refresh of 0 it
 *       is read live;</li>
 *   <li>what the router itself knows (requests and tokens it sent that have not ended) is always current.</li>
 * </ul>
 * Recent TTFT and ITL: with a refresh interval, the means over the requests that finished in the last window
 * (0 when none did); when exact, a moving average over the latest finished requests (weight 0.2 each).
 * A refresh copies a handful of numbers per replica; a decision copies nothing.
 */
public final class LoadBoard {
    private static final double EWMA = 0.2;

    private final List<? extends LiveReplica> live;
    private final boolean exact;
    private final int[] waiting, running, freeBlocks;
    private final long[] waitingTokens, runningTokens;
    private final long[] ttftNanos, itlNanos;
    private final double[] ttftSum, itlSum, ewmaTtft, ewmaItl;
    private final int[] ttftCount, itlCount;
    private final int[] inFlight;
    private final long[] outstandingTokens;

    /** Whether replica {@code i} has a prefix cache now (configuration, not load: never stale). */
    public boolean hasPrefixCache(int i) {
        return live.get(i).hasPrefixCache();
    }

    public LoadBoard(List<? extends LiveReplica> live, boolean exact) {
        this.live = List.copyOf(live);
        this.exact = exact;
        int n = live.size();
        waiting = new int[n];
        running = new int[n];
        freeBlocks = new int[n];
        waitingTokens = new long[n];
        runningTokens = new long[n];
        ttftNanos = new long[n];
        itlNanos = new long[n];
        ttftSum = new double[n];
        itlSum = new double[n];
        ttftCount = new int[n];
        itlCount = new int[n];
        ewmaTtft = new double[n];
        ewmaItl = new double[n];
        Arrays.fill(ewmaTtft, Double.NaN);
        Arrays.fill(ewmaItl, Double.NaN);
        inFlight = new int[n];
        outstandingTokens = new long[n];
        refresh();
    }

    public int size() {
        return live.size();
    }

    /** Copies what replicas report into the snapshot, and closes the latency window. */
    public void refresh() {
        for (int i = 0; i < live.size(); i++) {
            var r = live.get(i);
            waiting[i] = r.waitingRequests();
            running[i] = r.runningRequests();
            waitingTokens[i] = r.waitingTokens();
            runningTokens[i] = r.runningTokens();
            freeBlocks[i] = r.freeBlocks();
            ttftNanos[i] = ttftCount[i] == 0 ? 0 : Math.round(ttftSum[i] / ttftCount[i]);
            itlNanos[i] = itlCount[i] == 0 ? 0 : Math.round(itlSum[i] / itlCount[i]);
            ttftSum[i] = itlSum[i] = 0;
            ttftCount[i] = itlCount[i] = 0;
        }
    }

    public void routed(int replica, long tokens) {
        inFlight[replica]++;
        outstandingTokens[replica] += tokens;
    }

    /** A request routed to {@code replica} ended there; NaN latencies when it produced no (or one) token. */
    public void finished(int replica, long tokens, double ttftNs, double itlNs) {
        inFlight[replica]--;
        outstandingTokens[replica] -= tokens;
        if (!Double.isNaN(ttftNs)) {
            ttftSum[replica] += ttftNs;
            ttftCount[replica]++;
            ewmaTtft[replica] = Double.isNaN(ewmaTtft[replica]) ? ttftNs : ewmaTtft[replica] + EWMA * (ttftNs - ewmaTtft[replica]);
        }
        if (!Double.isNaN(itlNs)) {
            itlSum[replica] += itlNs;
            itlCount[replica]++;
            ewmaItl[replica] = Double.isNaN(ewmaItl[replica]) ? itlNs : ewmaItl[replica] + EWMA * (itlNs - ewmaItl[replica]);
        }
    }

    public int waiting(int i) { return exact ? live.get(i).waitingRequests() : waiting[i]; }

    public int running(int i) { return exact ? live.get(i).runningRequests() : running[i]; }

    public long waitingTokens(int i) { return exact ? live.get(i).waitingTokens() : waitingTokens[i]; }

    public long runningTokens(int i) { return exact ? live.get(i).runningTokens() : runningTokens[i]; }

    public int freeBlocks(int i) { return exact ? live.get(i).freeBlocks() : freeBlocks[i]; }

    public int totalBlocks(int i) { return live.get(i).totalBlocks(); }

    public long recentTtftNanos(int i) {
        return exact ? (Double.isNaN(ewmaTtft[i]) ? 0 : Math.round(ewmaTtft[i])) : ttftNanos[i];
    }

    public long recentItlNanos(int i) {
        return exact ? (Double.isNaN(ewmaItl[i]) ? 0 : Math.round(ewmaItl[i])) : itlNanos[i];
    }

    /** Requests the router sent to replica {@code i} that have not ended (including those still on the network). */
    public int inFlight(int i) { return inFlight[i]; }

    /** Prompt and output tokens of those requests. */
    public long outstandingTokens(int i) { return outstandingTokens[i]; }
}

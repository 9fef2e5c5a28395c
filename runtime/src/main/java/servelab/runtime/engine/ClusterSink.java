package servelab.runtime.engine;

import java.util.Arrays;

import servelab.runtime.cluster.ClusterSeries;
import servelab.runtime.cluster.LoadBoard;
import servelab.runtime.cluster.Network;
import servelab.runtime.record.ClusterRow;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/**
 * The sink replicas of a cluster write to. It turns a replica's request row into the client's (token and
 * completion times later by the replica-to-client delay, with what the router did to it), keeps the router's own
 * counts of what it sent, and feeds the cluster time series; everything then goes on to the run's sink.
 */
public final class ClusterSink implements ResultSink {
    private final ResultSink out;
    private final Network network;
    private LoadBoard board;
    private ClusterSeries series;
    private long now;
    private long lastResponseNanos;
    // per request id (ids are dense trace positions): what the front did
    private long[] routerArrival = new long[0], routed = new long[0], cpu = new long[0];
    private int[] sentTokens = new int[0];
    private final java.util.HashMap<Integer, String> degraded = new java.util.HashMap<>(); // rare: a map

    public ClusterSink(ResultSink out, Network network) {
        this.out = out;
        this.network = network;
    }

    void attach(LoadBoard board, ClusterSeries series) {
        this.board = board;
        this.series = series;
    }

    /** The simulation's clock: rows without a time of their own (failures, rejections) are stamped with it. */
    void at(long nanos) {
        now = nanos;
    }

    /** When the last response reached its client. */
    long lastResponseNanos() {
        return lastResponseNanos;
    }

    void arrivedAtRouter(long id, long nanos) {
        int i = slot(id);
        routerArrival[i] = nanos;
    }

    /** @param degradedReason why admission degraded it, {@code ""} when it did not */
    void routed(long id, long nanos, long cpuNanos, int replica, int tokens, String degradedReason) {
        int i = slot(id);
        routed[i] = nanos;
        cpu[i] = cpuNanos;
        if (!degradedReason.isEmpty()) degraded.put(i, degradedReason);
        if (replica >= 0) {
            sentTokens[i] = tokens;
            board.routed(replica, tokens);
        }
    }

    @Override
    public void request(RequestRow row) {
        int i = slot(row.requestId());
        long back = network.replicaToClientNanos();
        var fields = new RequestRow.ClusterFields(routerArrival[i], routed[i], cpu[i], degraded.getOrDefault(i, ""));
        // a rejection or failure is known at the front when it happens; a completion reaches the client later
        long clientNanos = row.completionNanos() >= 0 ? row.completionNanos() + back : Math.max(now, row.arrivalNanos());
        if (row.replica() >= 0 && routed[i] >= 0) board.finished(row.replica(), sentTokens[i], ttftNanos(row), itlNanos(row));
        series.responding(clientNanos);
        lastResponseNanos = Math.max(lastResponseNanos, clientNanos);
        out.request(row.atClient(back, fields));
    }

    @Override
    public void iteration(IterationRow row) {
        series.stepped(row.replica(), row.prefixQueryTokens(), row.prefixHitTokens(),
                row.prefillTokens() + row.decodeTokens());
        out.iteration(row);
    }

    @Override public void event(EventRow row) { out.event(row); }
    @Override public void cluster(ClusterRow row) { out.cluster(row); }
    @Override public void output(long requestId, int[] tokens) { out.output(requestId, tokens); }

    private static double ttftNanos(RequestRow row) {
        return row.firstTokenNanos() < 0 ? Double.NaN : row.firstTokenNanos() - row.arrivalNanos();
    }

    private static double itlNanos(RequestRow row) {
        if (row.outputTokens() < 2 || row.completionNanos() < 0 || row.firstTokenNanos() < 0) return Double.NaN;
        return (double) (row.completionNanos() - row.firstTokenNanos()) / (row.outputTokens() - 1);
    }

    /** The arrays' index of request {@code id}, growing them (new entries: never reached). */
    private int slot(long id) {
        if (id >= Integer.MAX_VALUE) throw new EngineException("request id " + id + " is too large for a cluster run");
        int i = (int) id;
        if (i >= routed.length) {
            int n = Math.max(i + 1, routed.length * 2 + 16);
            int old = routed.length;
            routerArrival = Arrays.copyOf(routerArrival, n);
            routed = Arrays.copyOf(routed, n);
            cpu = Arrays.copyOf(cpu, n);
            sentTokens = Arrays.copyOf(sentTokens, n);
            Arrays.fill(routerArrival, old, n, -1);
            Arrays.fill(routed, old, n, -1);
        }
        return i;
    }
}

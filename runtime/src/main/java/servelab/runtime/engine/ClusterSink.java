package servelab.runtime.engine;

import servelab.common.collect.LongObjectMap;
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
    private java.util.function.LongConsumer firstTokens;
    // what the front did to each request between its arrival at the router and its row: dropped with the row, so
    // memory follows the requests in flight, not the length of the trace
    private final LongObjectMap<Front> fronts = new LongObjectMap<>(1024);

    /** The router's record of one request in flight; -1 for a time not reached. */
    private static final class Front {
        long routerArrival = -1;
        long routed = -1;
        long cpu;
        int sentTokens;
        String degraded = "";
    }

    private static final Front NEVER_REACHED = new Front();

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

    /** Who hears each request's time from the router to its first token (the autoscaler's TTFT window). */
    void onFirstToken(java.util.function.LongConsumer listener) {
        this.firstTokens = listener;
    }

    @Override
    public void tokens(long requestId, int[] ids, int from, int to, long nanos) {
        if (firstTokens == null || from != 0) return;
        var f = fronts.get(requestId);
        if (f != null && f.routerArrival >= 0) firstTokens.accept(nanos - f.routerArrival);
    }

    void arrivedAtRouter(long id, long nanos) {
        front(id).routerArrival = nanos;
    }

    /** @param degradedReason why admission degraded it, {@code ""} when it did not */
    void routed(long id, long nanos, long cpuNanos, int replica, int tokens, String degradedReason) {
        var f = front(id);
        f.routed = nanos;
        f.cpu = cpuNanos;
        f.degraded = degradedReason;
        if (replica >= 0) {
            f.sentTokens = tokens;
            board.routed(replica, tokens);
        }
    }

    @Override
    public void request(RequestRow row) {
        var f = fronts.get(row.requestId());
        if (f == null) f = NEVER_REACHED;
        fronts.remove(row.requestId());
        long back = network.replicaToClientNanos();
        var fields = new RequestRow.ClusterFields(f.routerArrival, f.routed, f.cpu, f.degraded);
        // a rejection or failure is known at the front when it happens; a completion reaches the client later
        long clientNanos = row.completionNanos() >= 0 ? row.completionNanos() + back : Math.max(now, row.arrivalNanos());
        if (row.replica() >= 0 && f.routed >= 0) board.finished(row.replica(), f.sentTokens, ttftNanos(row), itlNanos(row));
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

    private Front front(long id) {
        var f = fronts.get(id);
        if (f == null) {
            f = new Front();
            fronts.put(id, f);
        }
        return f;
    }
}

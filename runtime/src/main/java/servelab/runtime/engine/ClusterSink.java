package servelab.runtime.engine;

import servelab.runtime.cluster.ClusterSeries;
import servelab.runtime.cluster.Network;
import servelab.runtime.record.ClusterRow;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/**
 * The sink replicas of a cluster write to. A replica's request row goes to the gateway, which ends each request once;
 * its terminal row is turned into the client's here (token and completion times later by the replica-to-client
 * delay, with what the router and the gateway did), and feeds the cluster time series; everything then goes on to
 * the run's sink.
 */
public final class ClusterSink implements ResultSink {
    private final ResultSink out;
    private final Network network;
    private ClusterSeries series;
    private java.util.function.Consumer<RequestRow> replicaRows = row -> terminal(row, RequestRow.ClusterFields.NONE,
            RequestRow.GatewayFields.unknown(row.error()));
    private long now;
    private long lastResponseNanos;
    private java.util.function.LongConsumer firstTokens;
    private java.util.function.LongUnaryOperator routerArrival = id -> -1;
    private final java.util.Map<Long, int[]> outputs = new java.util.HashMap<>();

    public ClusterSink(ResultSink out, Network network) {
        this.out = out;
        this.network = network;
    }

    void attach(ClusterSeries series) {
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

    /** When a request's current attempt reached the router, -1 if unknown (the gateway knows). */
    void routerArrivals(java.util.function.LongUnaryOperator gateway) {
        this.routerArrival = gateway;
    }

    @Override
    public void tokens(long requestId, int[] ids, int from, int to, long nanos) {
        if (firstTokens == null || from != 0) return;
        long arrived = routerArrival.applyAsLong(requestId);
        if (arrived >= 0) firstTokens.accept(nanos - arrived);
    }

    /** A replica's row (an answer, or a request it refused) goes to the gateway, which ends requests. */
    @Override
    public void request(RequestRow row) {
        replicaRows.accept(row);
    }

    /** Where replica rows go (the simulation's gateway); until set, each is a terminal row of its own. */
    void replicaRows(java.util.function.Consumer<RequestRow> gateway) {
        this.replicaRows = gateway;
    }

    /** A request's one terminal row, as the client hears it (the replica-to-client delay drawn here). */
    void terminal(RequestRow row, RequestRow.ClusterFields cluster, RequestRow.GatewayFields fields) {
        terminal(row, network.replicaToClientNanos(), cluster, fields);
    }

    /**
     * A request's one terminal row, as the client hears it {@code back} nanoseconds after the replica's times, with
     * what the router and the gateway did.
     */
    void terminal(RequestRow row, long back, RequestRow.ClusterFields cluster, RequestRow.GatewayFields fields) {
        // a rejection or failure is known at the front when it happens; a completion reaches the client later
        long clientNanos = row.completionNanos() >= 0 ? row.completionNanos() + back : Math.max(now, row.arrivalNanos());
        series.responding(clientNanos);
        lastResponseNanos = Math.max(lastResponseNanos, clientNanos);
        var tokens = outputs.remove(row.requestId());
        if (tokens != null && row.error().isEmpty()) out.output(row.requestId(), tokens); // the answer its client got
        out.request(row.atClient(back, cluster).withGateway(fields.endedAt(clientNanos)));
    }

    @Override
    public void stepped(int replica, long prefixQueryTokens, long prefixHitTokens, long tokens) {
        series.stepped(replica, prefixQueryTokens, prefixHitTokens, tokens);
        out.stepped(replica, prefixQueryTokens, prefixHitTokens, tokens);
    }

    @Override
    public boolean wantsIteration(long iteration) {
        return out.wantsIteration(iteration);
    }

    @Override
    public void iteration(IterationRow row) {
        out.iteration(row);
    }

    @Override public void event(EventRow row) { out.event(row); }
    @Override public void cluster(ClusterRow row) { out.cluster(row); }
    /**
     * A copy's generated tokens, kept until its request ends: outputs.jsonl gets one line per completed request, the
     * answer its client got (it had a line per copy that finished: retries, hedges, lost answers, failed requests).
     * A copy that finishes after its request ended (rare: a losing hedge is cancelled at once) leaves its entry.
     */
    @Override
    public void output(long requestId, int[] tokens) {
        outputs.put(requestId, tokens);
    }

    static double ttftNanos(RequestRow row) {
        return row.firstTokenNanos() < 0 ? Double.NaN : row.firstTokenNanos() - row.arrivalNanos();
    }

    static double itlNanos(RequestRow row) {
        if (row.outputTokens() < 2 || row.completionNanos() < 0 || row.firstTokenNanos() < 0) return Double.NaN;
        return (double) (row.completionNanos() - row.firstTokenNanos()) / (row.outputTokens() - 1);
    }
}

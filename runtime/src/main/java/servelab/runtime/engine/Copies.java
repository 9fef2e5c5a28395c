package servelab.runtime.engine;

import java.util.List;
import java.util.function.IntPredicate;

import servelab.runtime.cluster.LoadBoard;
import servelab.runtime.cluster.PrefixIndex;
import servelab.runtime.engine.GatewayRequest.Attempt;
import servelab.runtime.engine.GatewayRequest.Execution;
import servelab.runtime.record.RequestRow;

/**
 * The copies of requests the gateway sends to replicas: what the router counts as outstanding on each replica (its
 * load board, its estimated prefix index), handing a copy to its replica, and taking one back. Every copy opened is
 * ended exactly once: answered, refused, lost in a crash, unreachable, or withdrawn (its KV freed at once and the
 * tokens it had computed counted as wasted).
 */
final class Copies {
    private final List<Replica> replicas;
    private final LoadBoard board;
    private final List<PrefixIndex> prefixes;
    private final IntPredicate reachable;
    private final Gateway.Wake wake;

    Copies(List<Replica> replicas, LoadBoard board, List<PrefixIndex> prefixes, IntPredicate reachable,
           Gateway.Wake wake) {
        this.replicas = replicas;
        this.board = board;
        this.prefixes = prefixes;
        this.reachable = reachable;
        this.wake = wake;
    }

    /** A copy of {@code a}'s request for replica {@code target}, counted as sent there from now. */
    Execution open(Attempt a, int target) {
        var req = a.request;
        var trace = req.routed.request();
        var e = new Execution(target, trace.inputTokens() + trace.outputTokens(), a);
        req.executions.add(e);
        a.execution = e;
        a.replica = target;
        board.routed(target, e.sentTokens);
        if (req.routed.hasKeys() && !prefixes.get(target).isPrecise()) prefixes.get(target).routed(req.routed.blockKeys());
        return e;
    }

    /** Hands the copy to its replica; false (and the copy ended) when the replica cannot take it now. */
    boolean submit(GatewayRequest req, Execution e, long now) {
        if (!reachable.test(e.replica)) {
            ended(req, e, null);
            return false;
        }
        wake.beforeSubmit(e.replica, now);
        e.onReplica = true;
        replicas.get(e.replica).submit(req.routed.request());
        return true;
    }

    /** Takes a copy back (from its replica, or on its way there); what it had computed is wasted. */
    void withdraw(GatewayRequest req, Execution e) {
        if (e.ended) return;
        if (e.onReplica) {
            int done = replicas.get(e.replica).withdraw(req.id());
            if (done > 0) req.wastedTokens += done;
        }
        ended(req, e, null);
    }

    /** A copy ended: the router's count of what it sent there goes down (with the answer's latencies, if any). */
    void ended(GatewayRequest req, Execution e, RequestRow answer) {
        e.ended = true;
        e.onReplica = false;
        req.executions.remove(e);
        board.finished(e.replica, e.sentTokens, answer == null ? Double.NaN : ClusterSink.ttftNanos(answer),
                answer == null ? Double.NaN : ClusterSink.itlNanos(answer));
    }
}

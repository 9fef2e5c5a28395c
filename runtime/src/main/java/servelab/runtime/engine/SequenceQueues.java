package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import servelab.api.batch.PreemptMode;
import servelab.runtime.record.RequestRow;

/**
 * A replica's waiting and running queues and every move of a sequence between them and out of them: admitted into
 * the batch, preempted back to waiting, and ended exactly once (finished, refused, cancelled, withdrawn, lost in a
 * crash, or abandoned when the run stops). Each move changes the sequence's state, the queue that holds it, its KV and,
 * when it ends, the request row, and these must agree (a sequence is {@code FINISHED} exactly when no queue holds it
 * and it holds no KV); keeping every move here keeps them in step, away from {@link Replica}'s iteration loop. The
 * queues are read directly by the loop and by the policies' views; only this class changes them.
 */
final class SequenceQueues {
    /** In arrival order: arrivals come in time order, and a preempted sequence goes back to its place. */
    final ArrayList<Sequence> waiting = new ArrayList<>();
    final ArrayList<Sequence> running = new ArrayList<>();
    private final int index;
    private final KvManager kv;
    private final ResultSink sink;
    private int ended;

    SequenceQueues(int index, KvManager kv, ResultSink sink) {
        this.index = index;
        this.kv = kv;
        this.sink = sink;
    }

    /** Requests finished or failed so far. */
    int ended() {
        return ended;
    }

    /** A request accepted at its arrival waits for its first step. */
    void enqueue(Sequence seq) {
        waiting.add(seq);
    }

    // --- between the queues -------------------------------------------------------------------------------------

    /** A planned waiting sequence joins the batch; its prefix hits are pinned before any preemption can free them. */
    void admit(Sequence seq, long now) {
        kv.admit(seq);
        if (seq.firstScheduledNanos < 0) {
            seq.firstScheduledNanos = now;
            sink.scheduled(seq.id(), now);
        }
        seq.state = Sequence.State.RUNNING;
        running.add(seq);
    }

    /** Takes the sequences {@link #admit} moved out of the waiting queue (one pass for the whole plan). */
    void removeAdmitted() {
        waiting.removeIf(s -> s.state != Sequence.State.WAITING);
    }

    /** Back to waiting, at its arrival-order place, its KV swapped out or freed for recompute. */
    void preempt(Sequence seq, PreemptMode mode, long now, long iteration) {
        boolean swap = mode == PreemptMode.SWAP;
        boolean swapped = kv.preempt(seq, swap);
        seq.draftCount = 0;
        seq.preemptions++;
        seq.state = Sequence.State.WAITING;
        running.remove(seq);
        int lo = 0, hi = waiting.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            var other = waiting.get(mid);
            boolean before = other.arrivalNanos() < seq.arrivalNanos()
                    || other.arrivalNanos() == seq.arrivalNanos() && other.id() < seq.id();
            if (before) lo = mid + 1; else hi = mid;
        }
        waiting.add(lo, seq);
        String refused = !swap || swapped ? "" : kv.hasHostTier() ? "host tier full: recomputing instead"
                : "no host tier (kv.host_blocks is 0): recomputing instead";
        sink.event(new EngineEvent.Preemption(now, iteration, index, seq.id(), swapped, refused));
    }

    // --- ends ---------------------------------------------------------------------------------------------------

    /** A sequence that produced its last token; it stays in the running queue until {@link #removeFinished}. */
    void finish(Sequence seq) {
        kv.release(seq);
        seq.state = Sequence.State.FINISHED;
        if (seq.outputIds != null) sink.output(seq.id(), seq.outputIds.clone());
        record(seq, "");
    }

    /** Takes the sequences {@link #finish} ended out of the batch (one pass for the whole step). */
    void removeFinished() {
        running.removeIf(s -> s.state == Sequence.State.FINISHED);
    }

    /** Ends a sequence as failed: refused at its arrival (it never entered a queue), or abandoned. */
    void fail(Sequence seq, String error) {
        seq.state = Sequence.State.FINISHED;
        record(seq, error);
    }

    /** See {@link Replica#cancel}. */
    boolean cancel(long requestId, String reason) {
        var seq = take(requestId);
        if (seq == null) return false;
        if (reason == null && seq.outputTokens > 0) {
            if (seq.outputIds != null) sink.output(seq.id(), Arrays.copyOf(seq.outputIds, seq.outputTokens));
            record(seq, "");
        } else {
            record(seq, Replica.CANCELLED + (reason == null ? "stopped before its first token" : reason));
        }
        return true;
    }

    /** Ends a waiting sequence as failed with {@code error}, its KV (a prefix hit held, host slots) freed. */
    void refuse(Sequence waitingSeq, String error) {
        if (take(waitingSeq.id()) != null) record(waitingSeq, error);
    }

    /** See {@link Replica#withdraw}. */
    int withdraw(long requestId) {
        var seq = take(requestId);
        return seq == null ? -1 : workDone(seq);
    }

    /** Ends a queued or running request with its KV freed, or returns null when neither queue holds it. */
    private Sequence take(long requestId) {
        for (var queue : List.of(running, waiting)) {
            for (int i = 0; i < queue.size(); i++) {
                var seq = queue.get(i);
                if (seq.id() != requestId) continue;
                queue.remove(i);
                kv.drop(seq);
                seq.state = Sequence.State.FINISHED;
                return seq;
            }
        }
        return null;
    }

    /** See {@link Replica#crash(long, String)}. */
    List<Replica.Lost> crash(long nowNanos, String error) {
        var lost = new ArrayList<Replica.Lost>(running.size() + waiting.size());
        for (var queue : List.of(running, waiting)) {
            for (var seq : queue) {
                lost.add(new Replica.Lost(seq.id(), workDone(seq)));
                kv.drop(seq);
                seq.state = Sequence.State.FINISHED;
                if (error != null) record(seq, error);
            }
            queue.clear();
        }
        kv.crashed(nowNanos);
        return lost;
    }

    /** See {@link Replica#abandon}. */
    void abandon(String reason) {
        for (var seq : running) {
            kv.release(seq);
            fail(seq, reason);
        }
        for (var seq : waiting) fail(seq, reason);
        running.clear();
        waiting.clear();
    }

    /**
     * Tokens computed for a sequence on this replica: the prompt tokens it prefilled (not those served from the
     * prefix cache) plus the output tokens it generated, the same count {@link #workDone(RequestRow)} takes from a
     * finished request's row. What a crash or a cancellation throws away.
     */
    static int workDone(Sequence seq) {
        int prefilled = Math.min(seq.computedTokens, seq.promptTokens()) - Math.max(0, seq.firstCachedPrefixTokens);
        return Math.max(0, prefilled) + seq.outputTokens;
    }

    /** {@link #workDone(Sequence)} of a request that finished: its uncached prompt tokens and its output tokens. */
    static long workDone(RequestRow row) {
        return Math.max(0, row.inputTokens() - Math.max(0, row.cachedPrefixTokens())) + row.outputTokens();
    }

    private void record(Sequence seq, String error) {
        ended++;
        var r = seq.request;
        long completion = error.isEmpty() ? seq.tokenTimes[seq.outputTokens - 1] : -1;
        long[] times = seq.outputTokens == seq.tokenTimes.length ? seq.tokenTimes
                : Arrays.copyOf(seq.tokenTimes, seq.outputTokens);
        sink.request(new RequestRow(r.id(), index, r.tenant(), r.priority(), r.arrivalNanos(), seq.firstScheduledNanos,
                seq.firstTokenNanos, completion, r.inputTokens(), seq.outputTokens,
                Math.max(0, seq.firstCachedPrefixTokens),
                seq.preemptions, times, seq.specDrafts, seq.specDraftTokens, seq.specAcceptedTokens, error));
    }
}

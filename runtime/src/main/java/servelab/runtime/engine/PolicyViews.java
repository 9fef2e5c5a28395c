package servelab.runtime.engine;

import java.util.Collections;
import java.util.List;

import servelab.api.Clock;
import servelab.api.batch.BatchContext;
import servelab.api.batch.InvalidPlanException;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;

/** What schedulers and batchers see of a replica: read-only views of its queues and KV memory, and its clock. */
final class PolicyViews implements SchedulingContext, BatchContext, Clock {
    private final int replica;
    private final KvManager kv;
    final List<SeqView> runningView;
    final List<SeqView> waitingView;
    /** The step's start, run-clock nanoseconds; set by the replica. */
    long now;

    PolicyViews(int replica, KvManager kv, List<Sequence> running, List<Sequence> waiting) {
        this.replica = replica;
        this.kv = kv;
        this.runningView = Collections.unmodifiableList(running);
        this.waitingView = Collections.unmodifiableList(waiting);
    }

    @Override public List<SeqView> running() { return runningView; }
    @Override public List<SeqView> waiting() { return waitingView; }
    @Override public Clock clock() { return this; }
    @Override public long nanos() { return now; }
    @Override public int cachedPrefixTokens(SeqView seq) { return kv.computedTokens(own(seq)); }
    @Override public int draftTokens(SeqView seq) { return own(seq).draftCount; }
    @Override public int blockSizeTokens() { return kv.blockSize(); }
    @Override public int totalBlocks() { return kv.total(); }
    @Override public int freeBlocks() { return kv.available(); }
    @Override public int heldBlocks(SeqView seq) { return kv.freedBy(own(seq)); }
    @Override public int blocksNeeded(SeqView seq, int newTokens) { return kv.newBlocksNeeded(own(seq), newTokens); }
    @Override public int admissionHeadroomBlocks() { return kv.admissionHeadroom(); }

    private Sequence own(SeqView view) {
        if (view instanceof Sequence seq && seq.replica == replica) return seq;
        throw new InvalidPlanException(view + " is not a sequence of replica " + replica);
    }
}

package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import servelab.api.batch.BatchPlan;
import servelab.api.batch.InvalidPlanException;
import servelab.api.batch.PreemptMode;
import servelab.api.batch.Work;
import servelab.api.sched.SeqView;

/**
 * The plan a batcher builds, through the narrow {@link BatchPlan} interface: each item is checked as it is added
 * (the sequence is this replica's, not in the plan yet, and the work fits its state). Arrays grow to the largest
 * plan seen and are reused, so planning allocates nothing per step.
 */
final class PlanBuilder implements BatchPlan {
    private static final int DECODE = -1;

    private final int replica;
    private final KvManager kv;
    private long stamp;
    private Sequence[] seqs = new Sequence[64];
    private int[] tokens = new int[64];
    /** Per item: drafts verified, 0 for a prefill chunk, {@link #DECODE} for a decode. */
    private int[] drafts = new int[64];
    private int size;
    private int totalTokens;
    private Sequence[] preempted = new Sequence[8];
    private PreemptMode[] modes = new PreemptMode[8];
    private int preemptCount;

    PlanBuilder(int replica, KvManager kv) {
        this.replica = replica;
        this.kv = kv;
    }

    /** Empties the plan for plan attempt {@code attempt} (a stamp that grows from call to call). */
    void reset(long attempt) {
        Arrays.fill(seqs, 0, size, null);
        Arrays.fill(preempted, 0, preemptCount, null);
        stamp = attempt;
        size = 0;
        totalTokens = 0;
        preemptCount = 0;
    }

    @Override
    public void prefill(SeqView view, int n) {
        var seq = claim(view, "prefill");
        int max = seq.uncomputedTokens() - kv.computedTokens(seq); // a waiting sequence starts after its hit
        if (n < 1 || n > max) {
            throw new InvalidPlanException("prefill of " + n + " tokens for " + seq + ": must be 1.." + max);
        }
        add(seq, n, 0);
    }

    @Override
    public void decode(SeqView view) {
        var seq = claim(view, "decode");
        if (seq.uncomputedTokens() != 1) {
            throw new InvalidPlanException("decode of " + seq + ": it has " + seq.uncomputedTokens()
                    + " uncomputed tokens, a decode needs exactly 1 (use prefill)");
        }
        add(seq, 1, DECODE);
    }

    @Override
    public void verify(SeqView view, int draftTokens) {
        var seq = claim(view, "verify");
        if (seq.uncomputedTokens() != 1 || draftTokens < 1 || draftTokens > seq.draftCount) {
            throw new InvalidPlanException("verify of " + draftTokens + " drafts for " + seq
                    + ": needs exactly 1 uncomputed token and 1.." + seq.draftCount + " drafts (what the speculator proposed)");
        }
        add(seq, draftTokens + 1, draftTokens);
    }

    @Override
    public void preempt(SeqView view, PreemptMode mode) {
        var seq = claim(view, "preempt");
        if (seq.state != Sequence.State.RUNNING) {
            throw new InvalidPlanException("preempt of " + seq + ": only running sequences hold KV to give back");
        }
        if (preemptCount == preempted.length) {
            preempted = Arrays.copyOf(preempted, preemptCount * 2);
            modes = Arrays.copyOf(modes, preemptCount * 2);
        }
        preempted[preemptCount] = seq;
        modes[preemptCount++] = mode == null ? PreemptMode.RECOMPUTE : mode;
    }

    /** The sequence behind a view, after checking it belongs to this replica and is not in the plan yet. */
    private Sequence claim(SeqView view, String op) {
        if (!(view instanceof Sequence seq) || seq.replica != replica || seq.state == Sequence.State.FINISHED) {
            throw new InvalidPlanException(op + " of an unknown sequence: " + view
                    + " is not waiting or running on replica " + replica);
        }
        if (seq.planStamp == stamp) {
            throw new InvalidPlanException(op + " of " + seq + ": the sequence is already in this plan");
        }
        seq.planStamp = stamp;
        return seq;
    }

    private void add(Sequence seq, int n, int draftsOrDecode) {
        if (size == seqs.length) {
            int cap = size * 2;
            seqs = Arrays.copyOf(seqs, cap);
            tokens = Arrays.copyOf(tokens, cap);
            drafts = Arrays.copyOf(drafts, cap);
        }
        seqs[size] = seq;
        tokens[size] = n;
        drafts[size] = draftsOrDecode;
        size++;
        totalTokens += n;
    }

    int size() { return size; }
    Sequence seq(int i) { return seqs[i]; }
    int tokens(int i) { return tokens[i]; }
    /** Drafts item {@code i} verifies (0 for a prefill chunk or a plain decode). */
    int draftTokens(int i) { return Math.max(0, drafts[i]); }
    int preemptCount() { return preemptCount; }
    Sequence preempted(int i) { return preempted[i]; }
    PreemptMode preemptMode(int i) { return modes[i]; }

    // --- what the batcher reads back ------------------------------------------------------------------------------

    @Override
    public int sequences() {
        return size;
    }

    @Override
    public int tokens() {
        return totalTokens;
    }

    @Override
    public List<Work> items() {
        var items = new ArrayList<Work>(size + preemptCount);
        for (int i = 0; i < preemptCount; i++) items.add(new Work.Preempt(preempted[i].id(), modes[i]));
        for (int i = 0; i < size; i++) {
            long id = seqs[i].id();
            items.add(switch (drafts[i]) {
                case 0 -> new Work.PrefillChunk(id, tokens[i]);
                case DECODE -> new Work.Decode(id);
                default -> new Work.Verify(id, drafts[i]);
            });
        }
        return items;
    }
}

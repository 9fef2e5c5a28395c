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
 * The engine's reusable batch plan: what a batcher appends (checked at once against each sequence), and, once
 * committed, the {@link StepBatch} an executor runs. Arrays grow to the largest batch seen and are reused, so a
 * step allocates nothing here.
 */
final class StepPlan implements BatchPlan, StepBatch {
    private static final int DECODE = -1;

    private final Replica replica;
    private long stamp;
    private Sequence[] seqs = new Sequence[64];
    private int[] tokens = new int[64];
    private int[] drafts = new int[64];
    private int[] starts = new int[64];
    private int size;
    private int totalTokens;
    private Sequence[] preempted = new Sequence[8];
    private PreemptMode[] modes = new PreemptMode[8];
    private int preemptCount;
    // totals filled in by the replica when it commits the plan
    int prefillTokens;
    int decodeTokens;
    int prefillSeqs;
    long prefillAttentionPairs;
    long decodeContextTokens;
    /** The step's device-host copies, listed by the replica as it commits. */
    final KvTransfers transfers = new KvTransfers();

    StepPlan(Replica replica) {
        this.replica = replica;
    }

    void reset(long step) {
        Arrays.fill(seqs, 0, size, null);
        Arrays.fill(preempted, 0, preemptCount, null);
        stamp = step;
        size = 0;
        totalTokens = 0;
        preemptCount = 0;
        prefillTokens = decodeTokens = prefillSeqs = 0;
        prefillAttentionPairs = decodeContextTokens = 0;
        transfers.clear();
    }

    @Override
    public void prefill(SeqView view, int n) {
        var seq = claim(view, "prefill");
        int max = seq.uncomputedTokens() - replica.reusableTokens(seq); // a waiting sequence starts after its hit
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
        if (!(view instanceof Sequence seq) || seq.replica != replica.index() || seq.state == Sequence.State.FINISHED) {
            throw new InvalidPlanException(op + " of an unknown sequence: " + view
                    + " is not waiting or running on replica " + replica.index());
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
            starts = Arrays.copyOf(starts, cap);
        }
        seqs[size] = seq;
        tokens[size] = n;
        drafts[size] = draftsOrDecode;
        seq.emittedCount = 0;
        seq.acceptedDrafts = -1;
        size++;
        totalTokens += n;
    }

    Sequence seq(int i) {
        return seqs[i];
    }

    boolean isDecode(int i) {
        return drafts[i] != 0;
    }

    void setStart(int i, int position) {
        starts[i] = position;
    }

    int preemptCount() {
        return preemptCount;
    }

    Sequence preempted(int i) {
        return preempted[i];
    }

    PreemptMode preemptMode(int i) {
        return modes[i];
    }

    // --- BatchPlan ---------------------------------------------------------------------------------------------

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

    // --- StepBatch ---------------------------------------------------------------------------------------------

    @Override public int size() { return size; }
    @Override public long seqId(int i) { return seqs[i].id(); }
    @Override public int tokens(int i) { return tokens[i]; }
    @Override public int startPosition(int i) { return starts[i]; }
    @Override public int draftTokens(int i) { return Math.max(0, drafts[i]); }
    @Override public int promptTokens(int i) { return seqs[i].promptTokens(); }
    @Override public int[] blockTable(int i) { return seqs[i].blocks; }

    @Override
    public int token(int i, int position) {
        var seq = seqs[i];
        int known = seq.promptTokens() + seq.outputTokens;
        int drafted = draftTokens(i);
        if (position < 0 || position >= known + drafted) {
            throw new IndexOutOfBoundsException("position " + position + " of " + seq + " (it has " + known
                    + " tokens and " + drafted + " drafts in this step)");
        }
        return position < known ? replica.tokens(seq).at(position) : seq.draft[position - known];
    }

    @Override
    public boolean samples(int i) {
        var seq = seqs[i];
        return starts[i] + tokens[i] - draftTokens(i) == seq.promptTokens() + seq.outputTokens;
    }

    @Override
    public void emit(int i, int token) {
        var seq = seqs[i];
        if (!samples(i)) {
            throw new IllegalStateException("emit for item " + i + " (" + seq + "), whose chunk samples nothing");
        }
        int n = seq.emittedCount;
        if (n > draftTokens(i)) {
            throw new IllegalStateException("emit number " + (n + 1) + " for item " + i + " (" + seq + "), which verifies "
                    + draftTokens(i) + " drafts: at most " + (draftTokens(i) + 1) + " tokens");
        }
        if (n > 0 && seq.emitted[n - 1] != seq.draft[n - 1]) {
            throw new IllegalStateException("emit after a rejected draft for item " + i + " (" + seq + "): token "
                    + seq.emitted[n - 1] + " replaced draft " + seq.draft[n - 1] + ", so verification ended there");
        }
        if (token < 0) throw new IllegalArgumentException("emitted token " + token + " for " + seq + " is negative");
        if (seq.emitted.length <= n) seq.emitted = Arrays.copyOf(seq.emitted, Math.max(8, 2 * n + 2));
        seq.emitted[seq.emittedCount++] = token;
    }

    @Override
    public void accept(int i, int acceptedDrafts) {
        var seq = seqs[i];
        if (acceptedDrafts < 0 || acceptedDrafts > draftTokens(i)) {
            throw new IllegalArgumentException("accepted " + acceptedDrafts + " drafts for item " + i + " (" + seq
                    + "), which verifies " + draftTokens(i));
        }
        seq.acceptedDrafts = acceptedDrafts;
    }
    @Override public int blockCount(int i) { return seqs[i].blockCount; }
    @Override public int prefillTokens() { return prefillTokens; }
    @Override public int decodeTokens() { return decodeTokens; }
    @Override public long prefillAttentionPairs() { return prefillAttentionPairs; }
    @Override public long decodeContextTokens() { return decodeContextTokens; }
    @Override public int swapInBlocks() { return transfers.swapIns(); }
    @Override public int swapOutBlocks() { return transfers.swapOuts(); }
    @Override public int swapOuts() { return transfers.swapOuts(); }
    @Override public int swapOutDevice(int j) { return transfers.swapOutDevice(j); }
    @Override public int swapOutHost(int j) { return transfers.swapOutHost(j); }
    @Override public int swapIns() { return transfers.swapIns(); }
    @Override public int swapInHost(int j) { return transfers.swapInHost(j); }
    @Override public int swapInDevice(int j) { return transfers.swapInDevice(j); }
}

package servelab.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import servelab.api.batch.BatchPlan;
import servelab.api.batch.InvalidPlanException;
import servelab.api.batch.PreemptMode;
import servelab.api.batch.Work;
import servelab.api.sched.SeqView;

/**
 * The plan {@link TinyEngine} hands a batcher: every append is checked at once against the step's views, as the
 * engine's plan is (known sequence, named once, token count within what is left to compute, decodes only for
 * sequences with one token left to compute, verifications within the drafts proposed, preemptions only of running
 * sequences). Like the engine's, it is valid for the batcher's call only: once the call returns, the engine closes
 * it, and a batcher that kept it and uses it later fails the test at once (the engine reuses one plan, so such a
 * batcher would write into a later step's plan there).
 */
final class TinyPlan implements BatchPlan {
    private final Map<Long, TinySeq> running;
    private final Map<Long, TinySeq> waiting;
    private final Map<Long, Work> named = new HashMap<>();
    private final List<Work> preemptions = new ArrayList<>();
    private final List<Work> work = new ArrayList<>();
    private int sequences;
    private int tokens;
    private boolean closed;

    TinyPlan(Map<Long, TinySeq> running, Map<Long, TinySeq> waiting) {
        this.running = running;
        this.waiting = waiting;
    }

    @Override
    public void prefill(SeqView seq, int tokens) {
        open("prefill");
        var s = known(seq);
        if (tokens < 1 || tokens > s.view.uncomputedTokens()) {
            throw new InvalidPlanException("prefill of seq " + seq.id() + " asks for " + tokens + " tokens; it has "
                    + s.view.uncomputedTokens() + " uncomputed");
        }
        add(new Work.PrefillChunk(seq.id(), tokens));
    }

    @Override
    public void decode(SeqView seq) {
        open("decode");
        var s = known(seq); // a waiting one too: swapped out while decoding, it comes back with a decode
        if (s.view.uncomputedTokens() != 1) {
            throw new InvalidPlanException("decode of seq " + seq.id() + ", which has " + s.view.uncomputedTokens()
                    + " uncomputed tokens (a decode needs exactly 1)");
        }
        add(new Work.Decode(seq.id()));
    }

    @Override
    public void verify(SeqView seq, int draftTokens) {
        open("verify");
        known(seq);
        // TinyEngine runs without a speculator: no sequence has drafts to verify
        throw new InvalidPlanException("verify of " + draftTokens + " drafts for seq " + seq.id()
                + ", which has none (draftTokens is 0)");
    }

    @Override
    public void preempt(SeqView seq, PreemptMode mode) {
        open("preempt");
        running(seq, "preempt");
        add(new Work.Preempt(seq.id(), mode));
    }

    @Override public int sequences() { open("sequences"); return sequences; }
    @Override public int tokens() { open("tokens"); return tokens; }
    @Override public List<Work> items() { open("items"); return planned(); }

    /** Ends the batcher's call: every later use of this plan fails. */
    void close() { closed = true; }

    int plannedTokens() { return tokens; }

    /** Preemptions first (they run before the step's work, and the engine lists them so), then work as appended. */
    List<Work> planned() {
        var items = new ArrayList<>(preemptions);
        items.addAll(work);
        return List.copyOf(items);
    }

    private void open(String call) {
        if (closed) {
            throw new AssertionError("the batcher called " + call + "() on a plan after its plan() call returned: a"
                    + " plan is valid for the call it is passed to only (the engine reuses one plan, so a kept plan"
                    + " would change a later step's)");
        }
    }

    private TinySeq known(SeqView seq) {
        var s = running.containsKey(seq.id()) ? running.get(seq.id()) : waiting.get(seq.id());
        if (s == null || s.view != seq) {
            throw new InvalidPlanException("seq " + seq.id() + " is not a candidate of this step (a view kept from an"
                    + " earlier step, or made up)");
        }
        return s;
    }

    private TinySeq running(SeqView seq, String what) {
        var s = known(seq);
        if (!running.containsKey(seq.id())) throw new InvalidPlanException(what + " of seq " + seq.id() + ", which is waiting");
        return s;
    }

    private void add(Work item) {
        var earlier = named.putIfAbsent(item.seqId(), item);
        if (earlier != null) {
            throw new InvalidPlanException("seq " + item.seqId() + " is named twice: " + earlier + ", then " + item);
        }
        if (item instanceof Work.Preempt) {
            preemptions.add(item);
        } else {
            work.add(item);
            sequences++;
            tokens += item.tokens();
        }
    }
}

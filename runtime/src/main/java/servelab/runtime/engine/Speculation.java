package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;

import servelab.api.Clock;
import servelab.api.sched.SeqView;
import servelab.api.spec.Draft;
import servelab.api.spec.SpecContext;
import servelab.api.spec.Speculator;
import servelab.runtime.record.IterationRow;

/**
 * The replica's speculation stage: once per step it asks the speculator for drafts for the decoding sequences
 * ({@link #propose}); after the step it takes each verification's outcome ({@link #verified}) into the sequence's
 * totals and the step's iteration columns ({@link #row}). A draft is kept on its sequence, cut to
 * {@link #maxDraftTokens}, for the batcher to verify.
 */
final class Speculation {
    /** Most draft tokens one verification may carry, whatever a speculator proposes. */
    static final int MAX_DRAFT_TOKENS = 64;

    private final int replica;
    private final PolicySlot<Speculator> slot;
    private final Executor executor;
    private final ResultSink sink;
    private final Clock clock;
    private final ArrayList<SeqView> decoding = new ArrayList<>();
    private final HashMap<Long, Sequence> byId = new HashMap<>();
    private final Context context = new Context();
    private final SelfDrafts selfDrafts = new SelfDrafts();
    /** Time the executor spent drafting for this step, added to the step's duration. */
    private long draftNanos;
    /** Whether a running sequence may still carry a draft from the last proposal. */
    private boolean draftsSet;
    private int stepDrafts, stepDraftTokens, stepAcceptedTokens, stepMaxDrafts;
    private long[] draftedByPosition = new long[8], acceptedByPosition = new long[8];

    Speculation(int replica, PolicySlot<Speculator> slot, Executor executor, ResultSink sink, Clock clock) {
        this.replica = replica;
        this.slot = slot;
        this.executor = executor;
        this.sink = sink;
        this.clock = clock;
    }

    long draftNanos() {
        return draftNanos;
    }

    /**
     * Asks {@code speculator} for drafts for the running sequences that could use one. A failing speculator is
     * reported, reverted if an earlier one exists, and this step decodes plainly.
     */
    void propose(List<Sequence> running, PolicySlot.Installed<Speculator> speculator, long now, long iteration) {
        draftNanos = 0;
        // the built-in none proposes nothing: unless drafts of an earlier speculator are still set there is nothing
        // to clear or to ask, and a cluster run without speculation spent 7% of its time walking the running lists
        if (!draftsSet && speculator.isBuiltIn("none")) return;
        draftsSet = false;
        decoding.clear();
        for (var seq : running) {
            seq.draftCount = 0;
            if (seq.isDecoding() && seq.request.outputTokens() - seq.outputTokens >= 2) decoding.add(seq);
        }
        if (decoding.isEmpty()) return;
        List<Draft> drafts;
        try {
            if (executor.producesTokens() && speculator.isBuiltIn("modeled")) { // switched to mid-run: refused at start
                throw new IllegalStateException("speculator 'modeled' proposes placeholder drafts for the simulated "
                        + "executor's acceptance model; this executor verifies real tokens (ngram, layer-skip, draft-model)");
            }
            drafts = speculator.policy().propose(Collections.unmodifiableList(decoding), context);
        } catch (ExecutorFailure failure) {
            throw failure.cause; // the executor's own failure is the engine's, not the speculator's
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError fault) {
            boolean reverted = slot.revert(speculator);
            sink.event(new EngineEvent.PolicyFault(now, iteration, replica, speculator.descriptor().kind().id(),
                    speculator.id(), reverted, fault.getClass().getSimpleName() + ": " + fault.getMessage()));
            return;
        }
        if (drafts == null || drafts.isEmpty()) return;
        byId.clear();
        for (var view : decoding) byId.put(view.id(), (Sequence) view);
        for (var draft : drafts) {
            var seq = byId.get(draft.seqId());
            if (seq == null) {
                sink.event(new EngineEvent.PolicyFault(now, iteration, replica, "speculator", speculator.id(), false,
                        "draft for sequence " + draft.seqId() + ", which is not decoding: ignored"));
                continue;
            }
            setDraft(seq, draft.tokens(), draft.tokens().length);
        }
    }

    private void setDraft(Sequence seq, int[] tokens, int n) {
        n = Math.min(n, maxDraftTokens(seq));
        if (seq.draft.length < n) seq.draft = new int[Math.max(n, 8)];
        System.arraycopy(tokens, 0, seq.draft, 0, n);
        seq.draftCount = n;
        draftsSet |= n > 0;
    }

    static int maxDraftTokens(Sequence seq) {
        return Math.max(0, Math.min(MAX_DRAFT_TOKENS, seq.request.outputTokens() - seq.outputTokens - 1));
    }

    /** Starts a step's speculation figures. */
    void beginResults() {
        stepDrafts = stepDraftTokens = stepAcceptedTokens = stepMaxDrafts = 0;
    }

    /** A verification of {@code drafts} draft tokens of {@code seq} accepted {@code accepted} of them. */
    void verified(Sequence seq, int drafts, int accepted) {
        seq.specDrafts++;
        seq.specDraftTokens += drafts;
        seq.specAcceptedTokens += accepted;
        stepDrafts++;
        stepDraftTokens += drafts;
        stepAcceptedTokens += accepted;
        if (drafts > draftedByPosition.length) {
            draftedByPosition = Arrays.copyOf(draftedByPosition, Math.max(drafts, 2 * draftedByPosition.length));
            acceptedByPosition = Arrays.copyOf(acceptedByPosition, draftedByPosition.length);
        }
        if (drafts > stepMaxDrafts) {
            Arrays.fill(draftedByPosition, stepMaxDrafts, drafts, 0);
            Arrays.fill(acceptedByPosition, stepMaxDrafts, drafts, 0);
            stepMaxDrafts = drafts;
        }
        for (int j = 0; j < drafts; j++) draftedByPosition[j]++;
        for (int j = 0; j < accepted; j++) acceptedByPosition[j]++;
    }

    /** The step's speculation figures for its iteration row. */
    IterationRow.Spec row() {
        if (stepDrafts == 0) return IterationRow.Spec.NONE;
        return new IterationRow.Spec(stepDrafts, stepDraftTokens, stepAcceptedTokens,
                Arrays.copyOf(draftedByPosition, stepMaxDrafts), Arrays.copyOf(acceptedByPosition, stepMaxDrafts));
    }

    /** Carries an executor's failure out of a speculator's {@code propose}, so it is not taken for the speculator's. */
    private static final class ExecutorFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient RuntimeException cause;

        ExecutorFailure(RuntimeException cause) {
            super(null, cause, false, false);
            this.cause = cause;
        }
    }

    /** What a speculator reads; an executor with a model can also draft for it. */
    private final class Context implements SpecContext, ModelDrafting {
        @Override public Clock clock() { return clock; }

        @Override
        public int token(SeqView view, int index) {
            var seq = (Sequence) view;
            if (index < 0 || index >= seq.promptTokens() + seq.outputTokens) {
                throw new IndexOutOfBoundsException("token " + index + " of " + seq + ", which has "
                        + (seq.promptTokens() + seq.outputTokens));
            }
            return seq.tokens.at(index);
        }

        @Override public int maxDraftTokens(SeqView seq) { return Speculation.maxDraftTokens((Sequence) seq); }
        @Override public int draftedTokens(SeqView seq) { return ((Sequence) seq).specDraftTokens; }
        @Override public int acceptedTokens(SeqView seq) { return ((Sequence) seq).specAcceptedTokens; }

        @Override
        public void draftWithModel(int layers, int draftTokens) {
            try {
                draftNanos = executor.selfDraft(selfDrafts, layers, draftTokens);
            } catch (Executor.CannotDraft missing) { // no draft model, or none at all: the speculator's choice faults
                throw new IllegalStateException(missing.getMessage(), missing);
            } catch (RuntimeException failure) {
                throw new ExecutorFailure(failure);
            }
        }
    }

    /** The decoding sequences, as an executor that drafts with its own model sees them. */
    private final class SelfDrafts implements SelfDraftBatch {
        private Sequence seq(int i) { return (Sequence) decoding.get(i); }
        @Override public int size() { return decoding.size(); }
        @Override public long seqId(int i) { return seq(i).id(); }
        @Override public int lastPosition(int i) { return seq(i).promptTokens() + seq(i).outputTokens - 1; }
        @Override public int[] blockTable(int i) { return seq(i).blocks; }
        @Override public int blockCount(int i) { return seq(i).blockCount; }
        @Override public int maxDraftTokens(int i) { return Speculation.maxDraftTokens(seq(i)); }
        @Override public void draft(int i, int[] tokens, int n) { setDraft(seq(i), tokens, n); }

        @Override
        public int token(int i, int position) {
            if (position > lastPosition(i)) throw new IndexOutOfBoundsException("position " + position + " of " + seq(i));
            return seq(i).tokens.at(position);
        }
    }
}

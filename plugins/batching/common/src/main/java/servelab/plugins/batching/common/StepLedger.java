package servelab.plugins.batching.common;

import java.util.Arrays;
import java.util.List;

import servelab.api.batch.BatchContext;
import servelab.api.batch.BatchPlan;
import servelab.api.sched.Ordering;
import servelab.api.sched.SeqView;

/**
 * The budget ledger of one step, shared by every batcher (SGLang's {@code PrefillAdder}, vLLM's token budget):
 * tokens, sequences and KV blocks left, and which running sequences already have work or were preempted. A
 * batcher decides <em>what</em> to ask for and in which order; the ledger says whether it fits, appends it to the
 * plan, and applies the two rules every batcher here shares:
 *
 * <ul>
 *   <li>a running sequence that needs a block when none is free takes memory from the <em>last</em> running
 *       sequence in scheduler order that has no work in this step yet, provided that one comes after it (so the
 *       scheduler's running order is the victim choice, and a less urgent sequence never evicts a more urgent
 *       one); with no such sequence left, it is preempted itself;</li>
 *   <li>a waiting sequence is admitted only above the allocator's watermark, only while fewer than
 *       {@code max_num_seqs} sequences hold KV, and never in a step that had to preempt (vLLM's rule, which keeps
 *       a thrashing replica from re-admitting what it just evicted).</li>
 * </ul>
 *
 * <p>One instance per policy, reused every step ({@link #begin}); it allocates only when the running queue grows
 * past its largest size so far. Not thread-safe: the engine calls a batcher on its own thread.
 */
public final class StepLedger {
    /** What became of a request for work: added, or why not. */
    public enum Fit {
        ADDED,
        /** {@code max_num_seqs} reached. */
        NO_SEQS,
        /** Not enough of {@code max_num_batched_tokens} left (or a request for less than one token). */
        NO_TOKENS,
        /** Not enough free KV blocks above the watermark, or the step already preempted. */
        NO_MEMORY,
        /**
         * The running sequence could not get memory even after every less urgent one was preempted: it was, and its
         * blocks are free for the more urgent sequences a batcher may still serve (every position after it is
         * taken, so nothing after it can run in this step).
         */
        PREEMPTED_SELF
    }

    private static final byte FREE = 0, SCHEDULED = 1, PREEMPTED = 2;

    private final BatchLimits limits;
    private BatchContext ctx;
    private BatchPlan plan;
    private List<SeqView> running = List.of();
    private byte[] state = new byte[64];
    /** Running positions at or past this one are scheduled or preempted: victims are searched below it. */
    private int tail;
    private int tokens;
    private int blocks;
    private int headroom;
    private int admitted;
    private int preempted;

    public StepLedger(BatchLimits limits) {
        this.limits = limits;
    }

    public BatchLimits limits() {
        return limits;
    }

    /** Starts a step with the full budgets and the context's free blocks. */
    public StepLedger begin(Ordering order, BatchContext ctx, BatchPlan plan) {
        this.ctx = ctx;
        this.plan = plan;
        this.running = order.running();
        if (state.length < running.size()) state = new byte[Math.max(running.size(), state.length * 2)];
        Arrays.fill(state, 0, running.size(), FREE);
        tail = running.size();
        tokens = limits.maxNumBatchedTokens();
        blocks = ctx.freeBlocks();
        headroom = ctx.admissionHeadroomBlocks();
        admitted = 0;
        preempted = 0;
        return this;
    }

    public int tokensLeft() {
        return tokens;
    }

    /** Whether another sequence with at least one token could still join the step. */
    public boolean hasRoom() {
        return tokens > 0 && plan.sequences() < limits.maxNumSeqs();
    }

    public boolean preemptedAny() {
        return preempted > 0;
    }

    /** Whether running sequence {@code i} already has work in this step or was preempted in it. */
    public boolean isTaken(int i) {
        return state[i] != FREE;
    }

    /**
     * The tokens a whole-prompt batcher asks for: {@code wanted}, unless even an empty step could not hold it;
     * then what is left of the budget, so a prompt longer than {@code max_num_batched_tokens} is split into
     * budget-sized chunks instead of stalling the replica (vLLM v0 instead refuses to start when
     * {@code max_num_batched_tokens < max_model_len}).
     */
    public int whole(int wanted) {
        return wanted <= limits.maxNumBatchedTokens() ? wanted : Math.min(wanted, tokens);
    }

    /** Prompt (or recompute) tokens a waiting sequence still has to compute: its uncomputed tokens less its prefix hit. */
    public int waitingTokens(SeqView seq) {
        return Math.max(1, seq.uncomputedTokens() - ctx.cachedPrefixTokens(seq));
    }

    /**
     * Gives running sequence {@code i} (a position in the scheduler's running order) {@code n} tokens of work,
     * preempting from the end of the order when memory runs out. A decode ({@code n == 1}) of a sequence with
     * speculative drafts becomes a verification of as many drafts as the token budget and the free blocks allow
     * (never preempting for a draft), unless {@code speculative_disable_by_batch_size} sequences are running.
     */
    public Fit run(int i, int n) {
        if (state[i] != FREE) throw new IllegalStateException("running position " + i + " is already in this step");
        if (plan.sequences() >= limits.maxNumSeqs()) return Fit.NO_SEQS;
        if (n < 1 || n > tokens) return Fit.NO_TOKENS;
        var seq = running.get(i);
        if (n == 1 && seq.isDecoding()) {
            int k = draftsToVerify(seq);
            if (k > 0) {
                state[i] = SCHEDULED;
                blocks -= ctx.blocksNeeded(seq, 1 + k);
                tokens -= 1 + k;
                plan.verify(seq, k);
                return Fit.ADDED;
            }
        }
        int need = ctx.blocksNeeded(seq, n);
        while (need > blocks) {
            int victim = lastFreeAfter(i);
            if (victim < 0) {
                blocks += ctx.heldBlocks(seq); // freed for the sequences before it that have yet to be served
                preempt(i);
                return Fit.PREEMPTED_SELF;
            }
            blocks += ctx.heldBlocks(running.get(victim));
            preempt(victim);
        }
        state[i] = SCHEDULED;
        add(seq, n, need);
        return Fit.ADDED;
    }

    /** Admits waiting {@code seq} with a first chunk of {@code n} tokens (its swap-in decode when {@code n} is 1). */
    public Fit admit(SeqView seq, int n) {
        if (preempted > 0) return Fit.NO_MEMORY;
        if (plan.sequences() >= limits.maxNumSeqs() || running.size() - preempted + admitted >= limits.maxNumSeqs()) {
            return Fit.NO_SEQS;
        }
        if (n < 1 || n > tokens) return Fit.NO_TOKENS;
        int need = ctx.blocksNeeded(seq, n);
        if (need > blocks - headroom) return Fit.NO_MEMORY;
        admitted++;
        add(seq, n, need);
        return Fit.ADDED;
    }

    /** Drafts of decoding {@code seq} that fit this step's tokens and free blocks (0: decode plainly). */
    private int draftsToVerify(SeqView seq) {
        int drafts = ctx.draftTokens(seq);
        if (drafts <= 0) return 0;
        if (limits.specDisableBatchSize() > 0 && running.size() >= limits.specDisableBatchSize()) return 0;
        int k = Math.min(drafts, tokens - 1);
        while (k > 0 && ctx.blocksNeeded(seq, 1 + k) > blocks) k--;
        return k;
    }

    private void add(SeqView seq, int n, int blocksTaken) {
        blocks -= blocksTaken;
        tokens -= n;
        if (n == 1 && seq.isDecoding()) plan.decode(seq); else plan.prefill(seq, n);
    }

    private void preempt(int i) {
        state[i] = PREEMPTED;
        preempted++;
        plan.preempt(running.get(i), limits.preemptMode());
    }

    /**
     * The last running position without work in this step, if it comes after {@code requester}; -1 when none. Only
     * a less urgent sequence may give way: a batcher that serves the order in two passes (decodes first) must not
     * let a decode evict a more urgent prompt still waiting for its pass.
     */
    private int lastFreeAfter(int requester) {
        while (tail > requester + 1 && state[tail - 1] != FREE) tail--;
        return tail - 1 > requester ? tail - 1 : -1;
    }
}

package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import servelab.api.route.ReplicaView;
import servelab.api.sched.Ordering;
import servelab.datasets.TraceRequest;
import servelab.runtime.record.IterationRow;

/**
 * One replica: its queues and its iteration loop. {@link #step(long)} follows DESIGN's diagram: read the policy
 * slots ({@link Policies}), propose drafts ({@link Speculation}), ask the scheduler for an order and the batcher for
 * a plan ({@link PlanBuilder}), check both ({@link PlanChecks}), commit the plan into KV memory ({@link KvManager})
 * and the {@link CommittedStep} the executor reads, execute, apply the {@link StepResult} ({@link ResultApplier}) and
 * record the iteration row. The replica owns every sequence; its queues and every move of a sequence between them
 * and out ({@link SequenceQueues}), and policies only see views ({@link PolicyViews}).
 */
public final class Replica implements ReplicaView {
    private final int index;
    private final ReplicaConfig config;
    private final Executor executor;
    private final ResultSink sink;
    private final KvManager kv;
    private final Policies policies;
    private final Speculation speculation;
    private final SequenceQueues queues;
    private final ArrayList<Sequence> waiting;
    private final ArrayList<Sequence> running;
    private final PolicyViews views;
    private final PlanBuilder plan;
    private final CommittedStep committed = new CommittedStep();
    private final StepResult result = new StepResult();
    private final ResultApplier results;
    private final TokenSpace tokenSpace;
    private PromptSource prompts = PromptSource.SYNTHETIC;
    private long proposedAt = -1;
    private long iteration;
    /** Counts plan attempts (a faulted attempt is retried in the same iteration): stamps for duplicate checks. */
    private long attempt;
    private long now;
    /** Step time multiplier of an injected straggle; exactly 1.0 leaves the executor's duration untouched. */
    private double slowdown = 1.0;
    /** Ids of the requests this replica cut (ids are trace indices, dense from 0: a bit each). */
    private final PromptCuts cuts = new PromptCuts();
    private long lastStepNanos;
    /** What the step running now finishes, which the cluster sees running until it ends. */
    final StepFinishing finishing = new StepFinishing();

    public Replica(int index, ReplicaConfig config, ReplicaSlots slots, Executor executor, ResultSink sink) {
        this.index = index;
        this.config = config;
        this.executor = executor;
        this.sink = sink;
        this.kv = new KvManager(config.deviceBlocks(), config.hostBlocks(), config.offload(), config.blockSizeTokens());
        this.policies = new Policies(index, slots, sink);
        policies.handTo(kv);
        this.queues = new SequenceQueues(index, kv, sink);
        this.waiting = queues.waiting;
        this.running = queues.running;
        this.views = new PolicyViews(index, kv, running, waiting);
        this.speculation = new Speculation(index, slots.speculator(), executor, sink, views);
        this.plan = new PlanBuilder(index, kv);
        this.tokenSpace = executor.tokenSpace();
        this.results = new ResultApplier(executor, plan, result, kv, speculation, queues, sink, finishing);
    }

    @Override
    public int index() {
        return index;
    }

    /** Where prompt token ids come from (default: synthetic tokens from the trace's identities). */
    public void usePrompts(PromptSource source) {
        this.prompts = Objects.requireNonNull(source);
    }

    /** Who hears this replica's prefix-cache contents change (a cluster's precise prefix index). */
    public void onCacheEvents(CacheEvents listener) {
        kv.onCacheEvents(Objects.requireNonNull(listener));
    }

    /**
     * The chained content keys of the request's full prompt blocks, exactly as this replica's prefix cache would
     * key them (same block size, prompt source and token space), so a router can look them up in a cache index.
     */
    /** The block keys of a prompt given as token ids, as this replica's prefix cache computes them. */
    public long[] promptBlockKeys(int[] promptIds) {
        return SeqTokens.promptKeys(promptIds, config.blockSizeTokens());
    }

    public long[] promptBlockKeys(TraceRequest request) {
        var seq = new Sequence(request, index);
        seq.promptIds = prompts.tokens(request);
        var tokens = new SeqTokens(seq, config.blockSizeTokens(), tokenSpace);
        var keys = new long[request.inputTokens() / config.blockSizeTokens()];
        for (int i = 0; i < keys.length; i++) keys[i] = tokens.key(i);
        return keys;
    }

    /** Whether a prefix cache (not the built-in {@code none}) serves this replica, as of its last step. */
    public boolean hasPrefixCache() {
        return policies.prefixCaching();
    }

    /** Tokens per KV block. */
    public int blockSizeTokens() {
        return config.blockSizeTokens();
    }

    /** Requests waiting for their first (or next, after a preemption) step. */
    public int waitingRequests() {
        return waiting.size();
    }

    /** Requests in the running batch. */
    public int runningRequests() {
        return running.size();
    }

    /** Prompt tokens the waiting requests still have to compute (O(waiting); the cluster reads it per refresh). */
    public long waitingTokens() {
        long n = 0;
        for (var seq : waiting) n += Math.max(0, seq.promptTokens() - seq.computedTokens);
        return n;
    }

    /** Context tokens (prompt and output so far) of the running requests (O(running)). */
    public long runningTokens() {
        long n = 0;
        for (var seq : running) n += seq.promptTokens() + seq.outputTokens;
        return n;
    }

    /** Accepts a request at its arrival; one that can never fit in KV memory is recorded as failed at once. */
    public void submit(TraceRequest asked) {
        var request = cuts.fitted(asked, maxModelLen(), config.truncate());
        // checked first, in long arithmetic, before anything is sized by the request: a trace row of two billion
        // output tokens is refused, not an OutOfMemoryError, and two lengths that overflow an int add up
        long total = (long) request.inputTokens() + request.outputTokens();
        if (total > maxModelLen()) {
            queues.fail(new Sequence(request, index, 0), "request has " + total + " tokens (prompt "
                    + request.inputTokens() + " + output " + request.outputTokens() + "); the model runs at most "
                    + maxModelLen() + " (max_model_len)");
            return;
        }
        var seq = new Sequence(request, index);
        seq.tokens = new SeqTokens(seq, config.blockSizeTokens(), tokenSpace);
        var ids = prompts.tokens(request);
        if (ids != null) {
            if (ids.length != request.inputTokens()) {
                queues.fail(seq, "prompt source gave " + ids.length + " token ids for a prompt of " + request.inputTokens());
                return;
            }
            seq.promptIds = ids.clone();
        }
        // its KV at most: the prompt and every output token but the last, which is sampled and never stored
        int tokens = request.inputTokens() + Math.max(0, request.outputTokens() - 1);
        int need = policies.kvAllocator.policy().blocksToHold(seq, tokens, config.blockSizeTokens());
        if (need > config.deviceBlocks()) { // more than admission's headroom may still run: decode grows past it
            queues.fail(seq, "request needs " + need + " KV blocks for " + tokens + " tokens (its prompt and all its "
                    + "output but the last token); the replica has " + config.deviceBlocks());
            return;
        }
        queues.enqueue(seq);
    }

    /** Longest request taken (prompt plus output tokens): the configured max_model_len, else the executor's. */
    public int maxModelLen() {
        return config.maxModelLen() > 0 ? config.maxModelLen() : executor.maxSequenceTokens();
    }

    /** See {@link PromptCuts#cut()}. */
    public java.util.BitSet truncated() {
        return cuts.cut();
    }

    /** Whether a step would have work to do. */
    public boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    /** Requests finished or failed so far. */
    public int completed() {
        return queues.ended();
    }

    @Override public int queuedRequests() { return running.size() + waiting.size(); }
    @Override public int freeBlocks() { return kv.available(); }
    @Override public int totalBlocks() { return kv.total(); }
    /** KV blocks in use, as an iteration row's {@code kv_blocks_used} counts them. */
    public int usedBlocks() { return kv.used(); }

    public long iterations() {
        return iteration;
    }

    /**
     * The step {@link #step} ran last, as its executor read it (its totals are the cost model's arguments), for a
     * step listener to read before the next step reuses it; {@link #lastStepNanos()} is its duration. Calibration
     * times engine steps this way. Meaningless before the first step.
     */
    public StepBatch lastStep() {
        return committed;
    }

    /** Duration of the last step, ns (0 before the first). */
    public long lastStepNanos() {
        return lastStepNanos;
    }

    /**
     * Runs one iteration starting at {@code start} (run-clock nanoseconds).
     *
     * @return the step's duration in nanoseconds
     * @throws EngineException when a policy fails and no earlier policy of its kind can take over
     */
    public long step(long start) {
        now = views.now = start;
        attempt++;
        kv.at(start, attempt);
        policies.read(start, iteration, kv);
        if (proposedAt != iteration) { // once per iteration, also when a faulted plan is redone
            proposedAt = iteration;
            speculation.propose(running, policies.speculator, start, iteration);
        }
        long schedulerNanos = 0;
        boolean inScheduler = true;
        try {
            long t0 = System.nanoTime(); // engine CPU cost of the policy, never visible to policies
            Ordering order = policies.scheduler.policy().order(views);
            schedulerNanos = System.nanoTime() - t0;
            PlanChecks.checkOrdering(order, views, running, waiting, index, attempt);
            inScheduler = false;
            plan.reset(attempt);
            policies.batcher.policy().plan(order, views, plan);
            if (plan.size() == 0 && running.isEmpty() && !waiting.isEmpty()) {
                StuckRequests.refuseOne(order.waiting(), queues, kv, policies.kvAllocator.policy(),
                        config.blockSizeTokens(), policies.batcher.id());
                return step(start); // as vLLM ignores a prompt it can never schedule: the rest go on
            }
            PlanChecks.checkPlan(plan, kv, running.size(), waiting.size());
        } catch (RuntimeException | LinkageError | AssertionError | StackOverflowError fault) {
            policies.planFault(fault, inScheduler, start, iteration);
            return step(start); // the fallback policy plans this same step; state is untouched
        }
        int preemptions = plan.preemptCount();
        commit();
        result.reset(committed);
        long executed = executor.execute(committed, result);
        if (slowdown != 1.0) executed = Math.max(1, Math.round(executed * slowdown));
        long duration = executed + speculation.draftNanos();
        if (duration <= 0) throw new EngineException("executor returned a step duration of " + duration + " ns");
        long end = start + duration;
        lastStepNanos = duration;
        finishing.reset(end);
        results.apply(end, iteration);
        recordIteration(start, end, preemptions, schedulerNanos);
        iteration++;
        return duration;
    }

    // --- committing ---------------------------------------------------------------------------------------------

    /** Admissions first (pinning their prefix hits before a preemption could release a matched block), then
     *  preemptions, then each item's blocks. */
    private void commit() {
        kv.beginCommit();
        committed.begin(plan, kv.transfers());
        boolean admitted = false;
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            if (seq.state != Sequence.State.WAITING) continue;
            admitted = true;
            queues.admit(seq, now);
        }
        if (admitted) queues.removeAdmitted();
        for (int i = 0; i < plan.preemptCount(); i++) {
            queues.preempt(plan.preempted(i), plan.preemptMode(i), now, iteration);
        }
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            int start = seq.computedTokens;
            kv.grow(seq, kv.blocksToHold(seq, start + plan.tokens(i)));
            committed.place(i, start, seq.uncomputedTokens() == 1 && seq.outputTokens > 0);
        }
        kv.endCommit();
    }

    // --- recording ----------------------------------------------------------------------------------------------

    private void recordIteration(long start, long end, int preemptions, long schedulerNanos) {
        sink.stepped(index, kv.prefixQueryTokens(), kv.prefixHitTokens(),
                committed.prefillTokens() + committed.decodeTokens());
        if (!sink.wantsIteration(iteration)) return;
        long stored = 0, slots = 0;
        for (var seq : running) {
            stored += seq.computedTokens;
            slots += (long) seq.blockCount * config.blockSizeTokens();
        }
        int prefillSeqs = committed.prefillSeqs();
        sink.iteration(new IterationRow(iteration, index, start, end, plan.size(), prefillSeqs,
                plan.size() - prefillSeqs, committed.prefillTokens(), committed.decodeTokens(), waiting.size(),
                running.size(), kv.used(), kv.total(), kv.cached(), stored, slots - stored, kv.prefixQueryTokens(),
                kv.prefixHitTokens(), preemptions, schedulerNanos, policies.scheduler.id(), policies.batcher.id(),
                kv.hostRow(), speculation.row()));
    }

    // --- lifecycle and faults, between steps --------------------------------------------------------------------

    /** Prefix of the {@code error} column of a request a client cancelled (RESULTS-SCHEMA: terminal state). */
    public static final String CANCELLED = "cancelled: ";

    /**
     * Ends a queued or running request between steps and frees its KV at once (a serving client that went away,
     * or a stop condition the serving front found in the text). With {@code reason} null the request is recorded
     * as completed with the tokens produced so far (vLLM's {@code finish_reason: stop}); otherwise as cancelled,
     * its error {@value #CANCELLED} followed by the reason. A request with no token yet cannot complete: it is
     * cancelled.
     *
     * @return false when the replica holds no such request (it already ended)
     */
    public boolean cancel(long requestId, String reason) {
        return queues.cancel(requestId, reason);
    }

    /**
     * A request a replica held when it was lost (crashed, or withdrawn by the gateway).
     *
     * @param requestId      the trace request's id
     * @param computedTokens tokens computed for it there, now thrown away (prefilled prompt tokens not served from
     *                       the prefix cache, plus output tokens)
     */
    public record Lost(long requestId, int computedTokens) {}

    /**
     * Steps this replica's steps take {@code factor} times as long as the executor says (an injected straggler);
     * 1.0 restores normal speed. Takes effect from the next step.
     */
    public void slowDown(double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("slowdown factor must be > 0 and finite, was " + factor);
        }
        this.slowdown = factor;
    }

    /**
     * The replica dies between steps: every running and waiting sequence is dropped with its KV (device blocks and
     * host slots), and so is the prefix cache, so the pool is back to all free and empty and a precise router index
     * hears {@code cleared}. Emits no rows: the caller decides what the lost requests become.
     *
     * @return the dropped requests, running ones first, each queue in its order
     */
    public List<Lost> crash(long nowNanos) {
        return crash(nowNanos, null);
    }

    /**
     * {@link #crash(long)}, recording each dropped request as failed with {@code error} when it is not null (a
     * simulation whose replicas write their rows straight to the run's sink, with no gateway to end them).
     */
    List<Lost> crash(long nowNanos, String error) {
        now = nowNanos;
        finishing.reset(Long.MIN_VALUE);
        return queues.crash(nowNanos, error);
    }

    /**
     * Takes a queued or running request off this replica between steps, freeing its KV at once and recording no row:
     * the cluster's gateway ends the attempt and accounts for it (a hedge that lost, an attempt past its timeout, a
     * request past its deadline), or one the step under way finishes (its answer is then not used).
     * @return the tokens computed for it here, or -1 when the replica holds no such request
     */
    public int withdraw(long requestId) {
        int done = queues.withdraw(requestId);
        return done >= 0 ? done : finishing.withdraw(requestId);
    }

    /** Sequences still queued when a run is cut short: recorded as failed with {@code reason}. */
    public void abandon(String reason) {
        queues.abandon(reason);
    }

    // --- for tests ----------------------------------------------------------------------------------------------

    /** Checks the KV bookkeeping (every block accounted for, reference counts equal to holders). */
    void checkInvariants() {
        kv.checkInvariants(running, waiting);
    }

    /** Checks that every running sequence holds exactly the blocks its computed tokens need (between steps). */
    void checkExactHolding() {
        kv.checkExactHolding(running);
    }

    int cachedBlocks() {
        return kv.cached();
    }
}

package servelab.runtime.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import servelab.api.Clock;
import servelab.api.batch.BatchContext;
import servelab.api.batch.Batcher;
import servelab.api.batch.InvalidPlanException;
import servelab.api.batch.PreemptMode;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;
import servelab.api.spec.Speculator;
import servelab.datasets.TraceRequest;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;

/**
 * One replica: its queues, its KV memory and its iteration loop. {@link #step(long)} reads the policy slots,
 * asks the scheduler for an order and the batcher for a plan, checks the plan, commits it, runs it on the
 * executor and applies the results. The replica owns every sequence and every block; policies only see views.
 */
public final class Replica implements servelab.api.route.ReplicaView {
    private final int index;
    private final ReplicaConfig config;
    private final ReplicaSlots slots;
    private final Executor executor;
    private final ResultSink sink;
    private final BlockPool pool;
    private final HostTier host;
    /** Per block: the plan attempt in which a waiting sequence of the plan matched it. */
    private final long[] pinStamp;
    private final ArrayList<Sequence> waiting = new ArrayList<>();
    private final ArrayList<Sequence> running = new ArrayList<>();
    private final List<SeqView> waitingView = Collections.unmodifiableList(waiting);
    private final List<SeqView> runningView = Collections.unmodifiableList(running);
    private final StepPlan plan = new StepPlan(this);
    private final Context context = new Context();
    private final TokenSpace tokenSpace;
    private PromptSource prompts = PromptSource.SYNTHETIC;
    private final boolean realTokens;
    private PolicySlot.Installed<Scheduler> scheduler;
    private PolicySlot.Installed<Batcher> batcher;
    private PolicySlot.Installed<KvAllocator> kvAllocator;
    private PolicySlot.Installed<PrefixCache> prefixCache;
    private PolicySlot.Installed<Eviction> eviction;
    private PolicySlot.Installed<Speculator> speculator;
    private final SpecCtx specContext = new SpecCtx();
    private final ArrayList<SeqView> decoding = new ArrayList<>();
    private final java.util.HashMap<Long, Sequence> byId = new java.util.HashMap<>();
    private long proposedAt = -1;
    /** Time the executor spent drafting for this step (layer-skip), added to the step's duration. */
    private long draftNanos;
    private final SelfDrafts selfDrafts = new SelfDrafts();
    /** Per-iteration speculation totals, for the iteration row. */
    private int stepDrafts, stepDraftTokens, stepAcceptedTokens, stepMaxDrafts;
    private long[] draftedByPosition = new long[8], acceptedByPosition = new long[8];
    private long prefixQueryTokens;
    private long prefixHitTokens;
    private long iteration;
    /** Counts plan attempts (a faulted attempt is retried in the same iteration): stamps for duplicate checks. */
    private long attempt;
    private long now;
    private int finished;

    public Replica(int index, ReplicaConfig config, ReplicaSlots slots, Executor executor, ResultSink sink) {
        this.index = index;
        this.config = config;
        this.slots = slots;
        this.executor = executor;
        this.sink = sink;
        this.host = new HostTier(config.hostBlocks(), config.offload(), config.deviceBlocks());
        this.pool = new BlockPool(config.deviceBlocks(), this::offload);
        this.pinStamp = new long[config.deviceBlocks()];
        this.tokenSpace = executor.tokenSpace();
        this.realTokens = executor.producesTokens();
        this.scheduler = slots.scheduler().current();
        this.batcher = slots.batcher().current();
        this.kvAllocator = slots.kvAllocator().current();
        this.prefixCache = slots.prefixCache().current();
        this.eviction = slots.eviction().current();
        this.speculator = slots.speculator().current();
    }

    @Override
    public int index() {
        return index;
    }

    /** Where prompt token ids come from (default: synthetic tokens from the trace's identities). */
    public void usePrompts(PromptSource source) {
        this.prompts = java.util.Objects.requireNonNull(source);
    }

    /** Accepts a request at its arrival; one that can never fit in KV memory is recorded as failed at once. */
    public void submit(TraceRequest request) {
        var seq = new Sequence(request, index);
        var ids = prompts.tokens(request);
        if (ids != null) {
            if (ids.length != request.inputTokens()) {
                fail(seq, "prompt source gave " + ids.length + " token ids for a prompt of " + request.inputTokens());
                return;
            }
            seq.promptIds = ids.clone();
        }
        int tokens = request.inputTokens() + request.outputTokens();
        int need = kvAllocator.policy().blocksToHold(seq, tokens, config.blockSizeTokens());
        if (need > config.deviceBlocks()) {
            fail(seq, "request needs " + need + " KV blocks for " + tokens + " tokens; the replica has "
                    + config.deviceBlocks());
            return;
        }
        if (tokens > executor.maxSequenceTokens()) {
            fail(seq, "request has " + tokens + " tokens (prompt " + request.inputTokens() + " + output "
                    + request.outputTokens() + "); the model runs at most " + executor.maxSequenceTokens());
            return;
        }
        waiting.add(seq); // arrivals come in time order, so the waiting queue stays sorted by arrival
    }

    /** Whether a step would have work to do. */
    public boolean hasWork() {
        return !running.isEmpty() || !waiting.isEmpty();
    }

    /** Requests finished or failed so far. */
    public int completed() {
        return finished;
    }

    @Override
    public int queuedRequests() {
        return running.size() + waiting.size();
    }

    @Override
    public int freeBlocks() {
        return pool.available();
    }

    @Override
    public int totalBlocks() {
        return pool.total();
    }

    public long iterations() {
        return iteration;
    }

    /**
     * Runs one iteration starting at {@code start} (run-clock nanoseconds).
     *
     * @return the step's duration in nanoseconds
     * @throws EngineException when a policy fails and no earlier policy of its kind can take over
     */
    public long step(long start) {
        now = start;
        readSlots();
        if (proposedAt != iteration) { // once per iteration, also when a faulted plan is redone
            proposedAt = iteration;
            propose();
        }
        long schedulerNanos = 0;
        boolean inScheduler = true;
        attempt++;
        try {
            long t0 = System.nanoTime(); // engine CPU cost of the policy, never visible to policies
            Ordering order = scheduler.policy().order(context);
            schedulerNanos = System.nanoTime() - t0;
            checkOrdering(order);
            inScheduler = false;
            plan.reset(attempt);
            batcher.policy().plan(order, context, plan);
            checkPlan();
        } catch (RuntimeException fault) {
            onFault(fault, inScheduler);
            return step(start); // the fallback policy plans this same step; state is untouched
        }
        int preemptions = plan.preemptCount();
        prefixQueryTokens = prefixHitTokens = 0;
        host.beginCommit(attempt);
        commitAdmissions(); // pins prefix hits before a preemption could release a matched block
        commitPreemptions();
        commitWork();
        host.endCommit();
        long duration = executor.execute(plan) + draftNanos;
        if (duration <= 0) throw new EngineException("executor returned a step duration of " + duration + " ns");
        long end = start + duration;
        int prefillSeqs = plan.prefillSeqs;
        applyResults(end);
        long stored = 0, slots = 0;
        for (var seq : running) {
            stored += seq.computedTokens;
            slots += (long) seq.blockCount * config.blockSizeTokens();
        }
        sink.iteration(new IterationRow(iteration, index, start, end, plan.size(), prefillSeqs,
                plan.size() - prefillSeqs, plan.prefillTokens, plan.decodeTokens, waiting.size(), running.size(),
                pool.used(), pool.total(), pool.cached(), stored, slots - stored, prefixQueryTokens, prefixHitTokens,
                preemptions, schedulerNanos, scheduler.id(), batcher.id(), hostRow(), specRow()));
        iteration++;
        return duration;
    }

    // --- reading the slots and handling faults ---------------------------------------------------------------

    private void readSlots() {
        scheduler = swapIfChanged(slots.scheduler(), scheduler);
        speculator = swapIfChanged(slots.speculator(), speculator);
        batcher = swapIfChanged(slots.batcher(), batcher);
        kvAllocator = swapIfChanged(slots.kvAllocator(), kvAllocator);
        eviction = swapIfChanged(slots.eviction(), eviction); // before the prefix cache: a cold index drops into it
        prefixCache = swapIfChanged(slots.prefixCache(), prefixCache);
    }

    private <T> PolicySlot.Installed<T> swapIfChanged(PolicySlot<T> slot, PolicySlot.Installed<T> inUse) {
        var current = slot.current();
        if (current != inUse) {
            sink.event(new EventRow(now, iteration, index, "swap", current.descriptor().kind().id(), inUse.id(),
                    current.id(), current.source()));
            handOn(current.descriptor().kind().handoff(), current.policy());
        }
        return current;
    }

    /** What a swap hands to the new policy, as its kind's table entry says ({@link servelab.api.PluginKind}). */
    private void handOn(servelab.api.PluginKind.Handoff handoff, Object policy) {
        switch (handoff) {
            case NOTHING -> { }
            case CACHED_BLOCKS -> pool.announceCached((servelab.api.kv.Eviction) policy, now); // every candidate
            case COLD_INDEX -> { // the new index starts cold, and so do offloaded blocks
                pool.dropIndex(eviction.policy(), now);
                host.dropCached();
            }
        }
    }

    private void onFault(RuntimeException fault, boolean schedulerFault) {
        var culprit = schedulerFault ? scheduler : batcher;
        String what = culprit.descriptor().label() + " (" + culprit.id() + ", from " + culprit.source() + ")";
        String reason = fault.getClass().getSimpleName() + ": " + fault.getMessage();
        boolean reverted = schedulerFault ? slots.scheduler().revert(scheduler) : slots.batcher().revert(batcher);
        sink.event(new EventRow(now, iteration, index, "fault", culprit.descriptor().kind().id(), culprit.id(),
                reverted ? "reverted" : "", reason));
        if (!reverted) {
            throw new EngineException(what + " failed at iteration " + iteration + " and no earlier "
                    + culprit.descriptor().kind().id() + " can take over: " + reason, fault);
        }
    }

    // --- speculation ----------------------------------------------------------------------------------------------

    /** Most draft tokens one verification may carry, whatever a speculator proposes. */
    static final int MAX_DRAFT_TOKENS = 64;

    /**
     * Asks the speculator for drafts for the decoding sequences that could use one; a draft is kept on its sequence
     * (cut to {@link SpecCtx#maxDraftTokens}) for the batcher to verify. A failing speculator is reported, reverted
     * if an earlier one exists, and this step decodes plainly.
     */
    private void propose() {
        draftNanos = 0;
        decoding.clear();
        for (var seq : running) {
            seq.draftCount = 0;
            if (seq.isDecoding() && seq.request.outputTokens() - seq.outputTokens >= 2) decoding.add(seq);
        }
        if (decoding.isEmpty()) return;
        if (speculator.policy() instanceof SelfDrafting self) {
            draftNanos = executor.selfDraft(selfDrafts, self.layers(), self.draftTokens());
            return;
        }
        List<servelab.api.spec.Draft> drafts;
        try {
            drafts = speculator.policy().propose(Collections.unmodifiableList(decoding), specContext);
        } catch (RuntimeException fault) {
            boolean reverted = slots.speculator().revert(speculator);
            sink.event(new EventRow(now, iteration, index, "fault", speculator.descriptor().kind().id(), speculator.id(),
                    reverted ? "reverted" : "", fault.getClass().getSimpleName() + ": " + fault.getMessage()));
            return;
        }
        if (drafts == null || drafts.isEmpty()) return;
        byId.clear();
        for (var view : decoding) byId.put(view.id(), (Sequence) view);
        for (var draft : drafts) {
            var seq = byId.get(draft.seqId());
            if (seq == null) {
                sink.event(new EventRow(now, iteration, index, "fault", "speculator", speculator.id(), "",
                        "draft for sequence " + draft.seqId() + ", which is not decoding: ignored"));
                continue;
            }
            int[] tokens = draft.tokens();
            int n = Math.min(tokens.length, specContext.maxDraftTokens(seq));
            if (seq.draft.length < n) seq.draft = new int[Math.max(n, 8)];
            System.arraycopy(tokens, 0, seq.draft, 0, n);
            seq.draftCount = n;
        }
    }

    /** The decoding sequences, as an executor that drafts for itself sees them. */
    private final class SelfDrafts implements SelfDraftBatch {
        private Sequence seq(int i) { return (Sequence) decoding.get(i); }
        @Override public int size() { return decoding.size(); }
        @Override public long seqId(int i) { return seq(i).id(); }
        @Override public int lastPosition(int i) { return seq(i).promptTokens() + seq(i).outputTokens - 1; }
        @Override public int[] blockTable(int i) { return seq(i).blocks; }
        @Override public int blockCount(int i) { return seq(i).blockCount; }
        @Override public int maxDraftTokens(int i) { return specContext.maxDraftTokens(seq(i)); }

        @Override
        public int token(int i, int position) {
            if (position > lastPosition(i)) throw new IndexOutOfBoundsException("position " + position + " of " + seq(i));
            return tokens(seq(i)).at(position);
        }

        @Override
        public void draft(int i, int[] tokens, int n) {
            var seq = seq(i);
            n = Math.min(n, maxDraftTokens(i));
            if (seq.draft.length < n) seq.draft = new int[Math.max(n, 8)];
            System.arraycopy(tokens, 0, seq.draft, 0, n);
            seq.draftCount = n;
        }
    }

    /** What a speculator reads. */
    private final class SpecCtx implements servelab.api.spec.SpecContext {
        @Override public Clock clock() { return context; }

        @Override
        public int token(SeqView view, int index) {
            var seq = (Sequence) view;
            if (index < 0 || index >= seq.promptTokens() + seq.outputTokens) {
                throw new IndexOutOfBoundsException("token " + index + " of " + seq + ", which has "
                        + (seq.promptTokens() + seq.outputTokens));
            }
            return tokens(seq).at(index);
        }

        @Override
        public int maxDraftTokens(SeqView view) {
            var seq = (Sequence) view;
            return Math.max(0, Math.min(MAX_DRAFT_TOKENS, seq.request.outputTokens() - seq.outputTokens - 1));
        }

        @Override public int draftedTokens(SeqView seq) { return ((Sequence) seq).specDraftTokens; }
        @Override public int acceptedTokens(SeqView seq) { return ((Sequence) seq).specAcceptedTokens; }
    }

    // --- checking -----------------------------------------------------------------------------------------------

    /** The scheduler must return each running and each waiting sequence exactly once. */
    private void checkOrdering(Ordering order) {
        if (order == null) throw new OrderingException("scheduler returned no ordering");
        if (order.running() != runningView) checkPermutation(order.running(), running, Sequence.State.RUNNING);
        if (order.waiting() != waitingView) checkPermutation(order.waiting(), waiting, Sequence.State.WAITING);
    }

    private void checkPermutation(List<SeqView> ordered, List<Sequence> expected, Sequence.State state) {
        String queue = state == Sequence.State.RUNNING ? "running" : "waiting";
        if (ordered.size() != expected.size()) {
            throw new OrderingException("scheduler returned " + ordered.size() + " " + queue + " sequences, the queue has "
                    + expected.size());
        }
        long mark = -1 - attempt; // a stamp no plan uses (plan stamps are positive)
        for (var view : ordered) {
            // a sequence is in the running (waiting) queue exactly when its state says so
            if (!(view instanceof Sequence seq) || seq.replica != index || seq.state != state) {
                throw new OrderingException("scheduler returned " + view + ", which is not in the " + queue + " queue");
            }
            if (seq.planStamp == mark) throw new OrderingException("scheduler returned " + seq + " twice");
            seq.planStamp = mark;
        }
    }

    /** Memory for the whole plan, and progress: an empty plan with work queued would stall the run. */
    private void checkPlan() {
        pinMatches();
        int freed = 0;
        for (int i = 0; i < plan.preemptCount(); i++) freed += freedBy(plan.preempted(i));
        int needed = 0;
        for (int i = 0; i < plan.size(); i++) needed += context.blocksNeeded(plan.seq(i), plan.tokens(i));
        if (needed > pool.available() + freed) {
            throw new InvalidPlanException("plan needs " + needed + " new KV blocks but only " + pool.available()
                    + " are free and its preemptions free " + freed);
        }
        if (plan.size() == 0 && hasWork()) {
            throw new InvalidPlanException("empty plan with " + running.size() + " running and " + waiting.size()
                    + " waiting sequences (" + pool.available() + " of " + pool.total() + " KV blocks free): the run would stall");
        }
    }

    /**
     * Blocks that become available when {@code seq} lets go of its blocks: not those shared with other sequences,
     * nor those a sequence admitted in this plan matched (they stay in use).
     */
    private int freedBy(Sequence seq) {
        int freed = 0;
        for (int b = 0; b < seq.blockCount; b++) {
            int block = seq.blocks[b];
            if (pool.refCount(block) == 1 && pinStamp[block] != attempt) freed++;
        }
        return freed;
    }

    /** Marks the blocks matched by the plan's waiting sequences, for {@link #freedBy}. */
    private void pinMatches() {
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            if (seq.state != Sequence.State.WAITING) continue;
            match(seq);
            for (int b = 0; b < seq.matchedBlocks; b++) pinStamp[seq.matchIds[b]] = attempt;
            for (int j = 0; j < seq.hostMatchedBlocks; j++) {
                if (seq.hostMatchSlots[j] < 0) pinStamp[~seq.hostMatchSlots[j]] = attempt;
            }
        }
    }

    // --- committing ---------------------------------------------------------------------------------------------

    private void commitPreemptions() {
        for (int i = 0; i < plan.preemptCount(); i++) {
            var seq = plan.preempted(i);
            int blocks = Math.min(seq.blockCount, Math.ceilDiv(seq.computedTokens, config.blockSizeTokens()));
            boolean swap = plan.preemptMode(i) == PreemptMode.SWAP && host.canSwapOut(blocks);
            if (swap) swapOut(seq, blocks);
            releaseBlocks(seq);
            if (!swap) seq.computedTokens = 0; // recompute prompt and output so far when rescheduled
            seq.publishedBlocks = 0;
            seq.draftCount = 0;
            seq.preemptions++;
            seq.state = Sequence.State.WAITING;
            running.remove(seq);
            insertByArrival(seq);
            sink.event(new EventRow(now, iteration, index, "preempt", "", Long.toString(seq.id()),
                    swap ? "swap" : "recompute", plan.preemptMode(i) == PreemptMode.SWAP && !swap
                            ? "host tier full: recomputing instead" : ""));
        }
    }

    private void insertByArrival(Sequence seq) {
        int lo = 0, hi = waiting.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            var other = waiting.get(mid);
            boolean before = other.arrivalNanos() < seq.arrivalNanos()
                    || other.arrivalNanos() == seq.arrivalNanos() && other.id() < seq.id();
            if (before) lo = mid + 1; else hi = mid;
        }
        waiting.add(lo, seq);
    }

    /**
     * Admits the plan's waiting sequences before any block is allocated, pinning their prefix hits first, so an
     * eviction for one sequence can never take a block another one in this plan matched.
     */
    private void commitAdmissions() {
        boolean admitted = false;
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            if (seq.state != Sequence.State.WAITING) continue;
            admitted = true;
            admit(seq);
        }
        if (admitted) waiting.removeIf(s -> s.state != Sequence.State.WAITING);
    }

    private void commitWork() {
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            int n = plan.tokens(i);
            int start = seq.computedTokens;
            int target = kvAllocator.policy().blocksToHold(seq, start + n, config.blockSizeTokens());
            if (seq.swapInBlocks > 0 && !seq.swapInOwned) placeHostHit(seq); // its blocks come first, in order
            while (seq.blockCount < target) seq.addBlock(pool.allocate(eviction.policy(), prefixCache.policy(), now));
            if (seq.swapInBlocks > 0) swapIn(seq);
            plan.setStart(i, start);
            if (seq.uncomputedTokens() == 1 && seq.outputTokens > 0) { // a decode, or a verification of n - 1 drafts
                plan.decodeTokens += n;
                plan.decodeContextTokens += (long) n * start + (long) n * (n + 1) / 2;
            } else {
                plan.prefillTokens += n;
                plan.prefillSeqs++;
                plan.prefillAttentionPairs += (long) n * start + (long) n * (n + 1) / 2;
            }
        }
    }

    private void admit(Sequence seq) {
        if (seq.hostBlocks > 0) { // swap the KV back in: into fresh device blocks, once commitWork allocates them
            seq.swapInBlocks = seq.hostBlocks;
            seq.swapInOwned = true;
            seq.hostBlocks = 0;
        } else {
            match(seq); // normally done while planning; the memo makes this free
            for (int b = 0; b < seq.matchedBlocks; b++) {
                int block = seq.matchIds[b];
                pool.acquire(block, eviction.policy(), now);
                seq.addBlock(block);
                eviction.policy().used(block, b, now);
            }
            reloadHostHit(seq);
            int hit = (seq.matchedBlocks + seq.hostMatchedBlocks) * config.blockSizeTokens();
            seq.computedTokens = hit;
            seq.publishedBlocks = seq.matchedBlocks;
            seq.cachedPrefixTokens = hit;
            if (seq.firstCachedPrefixTokens < 0) seq.firstCachedPrefixTokens = hit;
            prefixQueryTokens += seq.promptTokens() + seq.outputTokens;
            prefixHitTokens += hit;
        }
        if (seq.firstScheduledNanos < 0) seq.firstScheduledNanos = now;
        seq.state = Sequence.State.RUNNING;
        running.add(seq);
    }

    // --- applying results ---------------------------------------------------------------------------------------

    private void applyResults(long end) {
        boolean anyFinished = false;
        stepDrafts = stepDraftTokens = stepAcceptedTokens = stepMaxDrafts = 0;
        for (int i = 0; i < plan.size(); i++) {
            var seq = plan.seq(i);
            int drafts = plan.draftTokens(i);
            if (drafts > 0) {
                applyVerification(seq, drafts, end);
            } else {
                seq.computedTokens += plan.tokens(i);
                publish(seq);
                if (seq.uncomputedTokens() > 0) continue; // a prefill chunk that did not reach the end of the prompt
                // all tokens computed: the step sampled the next one
                if (realTokens) {
                    if (seq.emittedCount != 1) throw noToken(seq);
                    keep(seq, seq.emitted[0]);
                }
                if (seq.firstTokenNanos < 0) seq.firstTokenNanos = end;
                seq.tokenTimes[seq.outputTokens++] = end;
            }
            if (seq.isFinished()) {
                anyFinished = true;
                finish(seq);
            }
        }
        if (anyFinished) running.removeIf(s -> s.state == Sequence.State.FINISHED);
    }

    /**
     * A verification of {@code drafts} draft tokens: the accepted ones and the token sampled after them become
     * output; keys and values stay for the last token and the accepted drafts, and the blocks allocated for the
     * rejected positions go back to the pool, so memory holds exactly what the accepted length needs.
     */
    private void applyVerification(Sequence seq, int drafts, long end) {
        int accepted;
        if (realTokens) {
            if (seq.emittedCount == 0) throw noToken(seq);
            accepted = seq.emittedCount - 1;
        } else {
            accepted = seq.acceptedDrafts;
            if (accepted < 0) {
                throw new EngineException("executor (" + executor.describe() + ") reported no acceptance for the "
                        + drafts + " drafts of " + seq + " at iteration " + iteration);
            }
        }
        seq.computedTokens += 1 + accepted; // the last token and the accepted drafts; the new last token is not
        for (int j = 0; j <= accepted; j++) {
            if (realTokens) keep(seq, seq.emitted[j]);
            seq.tokenTimes[seq.outputTokens++] = end;
        }
        int keep = kvAllocator.policy().blocksToHold(seq, seq.computedTokens, config.blockSizeTokens());
        while (seq.blockCount > keep) pool.release(seq.blocks[--seq.blockCount], eviction.policy(), now);
        publish(seq);
        seq.specDrafts++;
        seq.specDraftTokens += drafts;
        seq.specAcceptedTokens += accepted;
        stepDrafts++;
        stepDraftTokens += drafts;
        stepAcceptedTokens += accepted;
        if (drafts > draftedByPosition.length) {
            draftedByPosition = java.util.Arrays.copyOf(draftedByPosition, Math.max(drafts, 2 * draftedByPosition.length));
            acceptedByPosition = java.util.Arrays.copyOf(acceptedByPosition, draftedByPosition.length);
        }
        if (drafts > stepMaxDrafts) {
            java.util.Arrays.fill(draftedByPosition, stepMaxDrafts, drafts, 0);
            java.util.Arrays.fill(acceptedByPosition, stepMaxDrafts, drafts, 0);
            stepMaxDrafts = drafts;
        }
        for (int j = 0; j < drafts; j++) draftedByPosition[j]++;
        for (int j = 0; j < accepted; j++) acceptedByPosition[j]++;
    }

    /** The step's speculation figures for its iteration row. */
    private IterationRow.Spec specRow() {
        if (stepDrafts == 0) return IterationRow.Spec.NONE;
        return new IterationRow.Spec(stepDrafts, stepDraftTokens, stepAcceptedTokens,
                java.util.Arrays.copyOf(draftedByPosition, stepMaxDrafts),
                java.util.Arrays.copyOf(acceptedByPosition, stepMaxDrafts));
    }

    private EngineException noToken(Sequence seq) {
        return new EngineException("executor (" + executor.describe() + ") sampled no token for " + seq
                + " at iteration " + iteration);
    }

    /** Stores a token the executor sampled as the sequence's next output token (before the count moves past it). */
    private void keep(Sequence seq, int token) {
        if (seq.outputIds == null) seq.outputIds = new int[seq.request.outputTokens()];
        seq.outputIds[seq.outputTokens] = token;
    }

    /** Offers the sequence's newly filled blocks to the prefix cache. */
    private void publish(Sequence seq) {
        int full = seq.computedTokens / config.blockSizeTokens();
        if (seq.publishedBlocks >= full) return;
        var tokens = tokens(seq);
        for (int b = seq.publishedBlocks; b < full; b++) {
            int block = seq.blocks[b];
            if (!pool.isIndexed(block) && prefixCache.policy().insert(tokens, b, block)) {
                pool.markIndexed(block);
                host.indexed(block, tokens, b);
                eviction.policy().used(block, b, now);
            }
        }
        seq.publishedBlocks = full;
    }

    // --- the host tier -------------------------------------------------------------------------------------------

    /** Swap preemption: the sequence's first {@code blocks} blocks (those holding KV) go to host slots, in order. */
    private void swapOut(Sequence seq, int blocks) {
        if (seq.hostSlots.length < blocks) seq.hostSlots = new int[Math.max(blocks, seq.hostSlots.length * 2)];
        for (int j = 0; j < blocks; j++) {
            int slot = host.swapOutSlot();
            seq.hostSlots[j] = slot;
            plan.transfers.swapOut(seq.blocks[j], slot, false);
        }
        seq.hostBlocks = blocks;
    }

    /**
     * An admitted sequence's match continuation ({@link #matchHost}): its host slots are kept for this step, and
     * the device blocks in it are held at once, like a device hit; {@link #placeHostHit} puts them in the table.
     */
    private void reloadHostHit(Sequence seq) {
        int n = seq.hostMatchedBlocks;
        if (n == 0) return;
        if (seq.hostSlots.length < n) seq.hostSlots = new int[Math.max(n, seq.hostSlots.length * 2)];
        for (int j = 0; j < n; j++) {
            int entry = seq.hostMatchSlots[j];
            if (entry >= 0) {
                host.reload(entry);
            } else {
                pool.acquire(~entry, eviction.policy(), now);
                eviction.policy().used(~entry, seq.blockCount + j, now);
            }
            seq.hostSlots[j] = entry;
        }
        seq.swapInBlocks = n;
        seq.swapInOwned = false;
    }

    /**
     * Appends an admitted sequence's match continuation to its table in token order: a fresh block, filled by a
     * copy from the host slot, for each host hit; the held block for each block still on the device. Published
     * after the step like any computed block (a block the device holds is indexed already).
     */
    private void placeHostHit(Sequence seq) {
        for (int j = 0; j < seq.swapInBlocks; j++) {
            int entry = seq.hostSlots[j];
            if (entry < 0) {
                seq.addBlock(~entry);
                continue;
            }
            int block = pool.allocate(eviction.policy(), prefixCache.policy(), now);
            seq.addBlock(block);
            plan.transfers.swapIn(entry, block, true);
        }
        seq.swapInBlocks = 0;
    }

    /** Lists the copies host to device of a swapped-out sequence admitted in this step, into its new blocks. */
    private void swapIn(Sequence seq) {
        int n = seq.swapInBlocks;
        if (seq.blockCount < n) {
            throw new EngineException(seq + " holds " + seq.blockCount + " blocks, too few for the " + n
                    + " blocks coming back from the host tier");
        }
        for (int j = 0; j < n; j++) {
            int slot = seq.hostSlots[j];
            plan.transfers.swapIn(slot, seq.blocks[j], false);
            host.swapInSlot(slot);
        }
        seq.swapInBlocks = 0;
    }

    /** The pool evicts an indexed block for reuse: with offload on, its content is first copied to the host tier. */
    private void offload(int block) {
        int slot = host.offload(block);
        if (slot >= 0) plan.transfers.swapOut(block, slot, true);
    }

    /**
     * Continues a device prefix match of {@code n} blocks through the host tier: block n, n + 1, ... is a hit when
     * the tier holds it, or, after a host hit, when a device block still holds it (eviction takes a chain's older
     * blocks first, so its tail may outlive its head there). Recomputed at each plan attempt: a hash lookup per
     * block, stopping at the first miss.
     */
    private void matchHost(Sequence seq, int n, int maxBlocks) {
        int found = 0, onDevice = 0, cachedOnDevice = 0;
        if (host.cachedBlocks() > 0 && n < maxBlocks) {
            if (seq.hostMatchSlots.length < maxBlocks) {
                seq.hostMatchSlots = new int[Math.max(maxBlocks, seq.hostMatchSlots.length * 2)];
            }
            var tokens = tokens(seq);
            for (int b = n; b < maxBlocks; b++) {
                int entry = host.lookup(tokens, b);
                if (entry < 0) {
                    int block = found > 0 ? host.deviceLookup(tokens, b) : -1;
                    if (block < 0) break;
                    if (!pool.isIndexed(block)) throw new EngineException("host tier names device block " + block
                            + " for " + seq + ", which holds no indexed content");
                    entry = ~block;
                    onDevice++;
                    if (pool.refCount(block) == 0) cachedOnDevice++;
                }
                seq.hostMatchSlots[found++] = entry;
            }
        }
        seq.hostMatchedBlocks = found;
        seq.hostMatchDeviceBlocks = onDevice;
        seq.hostMatchCachedBlocks = cachedOnDevice;
    }

    private IterationRow.HostKv hostRow() {
        var t = plan.transfers;
        return new IterationRow.HostKv(host.capacity(), host.used(), host.cachedBlocks(), t.swapOuts(), t.swapIns(),
                t.offloaded(), t.reloaded());
    }

    /** Gives back a sequence's blocks tail-first, so a chain's last block becomes a candidate before its head. */
    private void releaseBlocks(Sequence seq) {
        for (int b = seq.blockCount - 1; b >= 0; b--) pool.release(seq.blocks[b], eviction.policy(), now);
        seq.blockCount = 0;
    }

    SeqTokens tokens(Sequence seq) {
        if (seq.tokens == null) seq.tokens = new SeqTokens(seq, config.blockSizeTokens(), tokenSpace);
        return seq.tokens;
    }

    /**
     * The prefix-cache match of a waiting sequence for this plan attempt, memoised: schedulers, the batcher's
     * budget and the commit all see the same blocks. At least one token is always left to compute, so the step
     * can sample the next one.
     */
    private void match(Sequence seq) {
        if (seq.matchStamp == attempt) return;
        seq.matchStamp = attempt;
        if (seq.hostBlocks > 0 || seq.state != Sequence.State.WAITING) {
            seq.matchedBlocks = seq.matchedCachedBlocks = 0;
            seq.hostMatchedBlocks = seq.hostMatchDeviceBlocks = seq.hostMatchCachedBlocks = 0;
            return;
        }
        int maxBlocks = (seq.promptTokens() + seq.outputTokens - 1) / config.blockSizeTokens();
        if (seq.matchIds.length < maxBlocks) {
            int capacity = Math.max(maxBlocks, seq.matchIds.length * 2);
            seq.matchIds = java.util.Arrays.copyOf(seq.matchIds, capacity);
            seq.matchGenerations = java.util.Arrays.copyOf(seq.matchGenerations, capacity);
        }
        // the last match holds up to its first block evicted since: extend it from there instead of redoing it
        int from = 0;
        if (seq.matchCache == prefixCache) {
            int known = Math.min(seq.matchedBlocks, maxBlocks);
            while (from < known && pool.generation(seq.matchIds[from]) == seq.matchGenerations[from]) from++;
        }
        int n = prefixCache.policy().match(tokens(seq), from, maxBlocks, seq.matchIds);
        if (n < from || n > maxBlocks) {
            throw new EngineException(prefixCache.descriptor().label() + " matched " + n + " blocks of " + seq
                    + ", outside " + from + ".." + maxBlocks);
        }
        int cachedBlocks = 0;
        for (int b = 0; b < n; b++) {
            int block = seq.matchIds[b];
            if (b >= from && (block < 0 || block >= pool.total() || !pool.isIndexed(block))) {
                throw new EngineException(prefixCache.descriptor().label() + " matched block " + block + " for "
                        + seq + ", which holds no indexed content");
            }
            if (pool.refCount(block) == 0) cachedBlocks++;
            if (b >= from) seq.matchGenerations[b] = pool.generation(block);
        }
        seq.matchedBlocks = n;
        seq.matchedCachedBlocks = cachedBlocks;
        seq.matchCache = prefixCache;
        matchHost(seq, n, maxBlocks);
    }

    /** Tokens of a waiting sequence its prefix-cache hit (device and host tier) would serve (0 for others). */
    int reusableTokens(Sequence seq) {
        match(seq);
        return (seq.matchedBlocks + seq.hostMatchedBlocks) * config.blockSizeTokens();
    }

    private void finish(Sequence seq) {
        releaseBlocks(seq);
        seq.state = Sequence.State.FINISHED;
        if (seq.outputIds != null) sink.output(seq.id(), seq.outputIds.clone());
        record(seq, "");
    }

    private void fail(Sequence seq, String error) {
        seq.state = Sequence.State.FINISHED;
        record(seq, error);
    }

    private void record(Sequence seq, String error) {
        finished++;
        var r = seq.request;
        long completion = error.isEmpty() ? seq.tokenTimes[seq.outputTokens - 1] : -1;
        long[] times = error.isEmpty() ? seq.tokenTimes : java.util.Arrays.copyOf(seq.tokenTimes, seq.outputTokens);
        sink.request(new RequestRow(r.id(), index, r.tenant(), r.priority(), r.arrivalNanos(), seq.firstScheduledNanos,
                seq.firstTokenNanos, completion, r.inputTokens(), seq.outputTokens,
                Math.max(0, seq.firstCachedPrefixTokens),
                seq.preemptions, times, seq.specDrafts, seq.specDraftTokens, seq.specAcceptedTokens, error));
    }

    /** Checks the KV bookkeeping (every block accounted for, reference counts equal to holders); for tests. */
    void checkInvariants() {
        var holders = new int[pool.total()];
        for (var seq : running) {
            for (int b = 0; b < seq.blockCount; b++) holders[seq.blocks[b]]++;
            int need = kvAllocator.policy().blocksToHold(seq, seq.computedTokens, config.blockSizeTokens());
            if (seq.blockCount < need) throw new IllegalStateException(seq + " holds " + seq.blockCount + " blocks, needs " + need);
        }
        var hostHolders = new int[host.capacity()];
        for (var seq : waiting) {
            if (seq.blockCount != 0) throw new IllegalStateException(seq + " is waiting but holds blocks");
            for (int j = 0; j < seq.hostBlocks; j++) hostHolders[seq.hostSlots[j]]++;
        }
        pool.checkInvariants(holders);
        host.checkInvariants(hostHolders);
    }

    /** Checks that every running sequence holds exactly the blocks its computed tokens need (between steps); for tests. */
    void checkExactHolding() {
        for (var seq : running) {
            int need = kvAllocator.policy().blocksToHold(seq, seq.computedTokens, config.blockSizeTokens());
            if (seq.blockCount != need) {
                throw new IllegalStateException(seq + " holds " + seq.blockCount + " blocks, its tokens need " + need);
            }
        }
    }

    int cachedBlocks() {
        return pool.cached();
    }

    /** Sequences still queued when a run is cut short: recorded as failed with {@code reason}. */
    public void abandon(String reason) {
        for (var seq : running) {
            releaseBlocks(seq);
            fail(seq, reason);
        }
        for (var seq : waiting) fail(seq, reason);
        running.clear();
        waiting.clear();
    }

    /** A scheduler's ordering broke the contract. */
    private static final class OrderingException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OrderingException(String message) {
            super(message);
        }
    }

    /** The views a policy gets; one instance per replica, reading live engine state. */
    private final class Context implements SchedulingContext, BatchContext, Clock {
        @Override public List<SeqView> running() { return runningView; }
        @Override public List<SeqView> waiting() { return waitingView; }
        @Override public Clock clock() { return this; }
        @Override public long nanos() { return now; }
        @Override public int cachedPrefixTokens(SeqView seq) { return reusableTokens(own(seq)); }
        @Override public int draftTokens(SeqView seq) { return own(seq).draftCount; }
        @Override public int blockSizeTokens() { return config.blockSizeTokens(); }
        @Override public int totalBlocks() { return pool.total(); }
        @Override public int freeBlocks() { return pool.available(); }
        @Override public int heldBlocks(SeqView seq) { return freedBy(own(seq)); }

        @Override
        public int blocksNeeded(SeqView view, int newTokens) {
            var seq = own(view);
            if (seq.state == Sequence.State.WAITING && seq.hostBlocks == 0) {
                // a device hit is held, not allocated, but hit blocks that sit in the cache leave the free pool;
                // a host-tier hit is reloaded into a new block
                match(seq);
                int hit = (seq.matchedBlocks + seq.hostMatchedBlocks) * config.blockSizeTokens();
                int target = kvAllocator.policy().blocksToHold(seq, hit + newTokens, config.blockSizeTokens());
                int held = seq.matchedBlocks + seq.hostMatchDeviceBlocks;
                return Math.max(0, target - held) + seq.matchedCachedBlocks + seq.hostMatchCachedBlocks;
            }
            int target = kvAllocator.policy().blocksToHold(seq, seq.computedTokens + newTokens, config.blockSizeTokens());
            return Math.max(0, target - seq.blockCount);
        }

        private Sequence own(SeqView view) {
            if (view instanceof Sequence seq && seq.replica == index) return seq;
            throw new InvalidPlanException(view + " is not a sequence of replica " + index);
        }

        @Override
        public int admissionHeadroomBlocks() {
            return kvAllocator.policy().admissionHeadroomBlocks(pool.total());
        }
    }
}

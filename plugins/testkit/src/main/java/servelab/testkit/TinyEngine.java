package servelab.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import servelab.api.Clock;
import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.batch.BatchContext;
import servelab.api.batch.Batcher;
import servelab.api.batch.InvalidPlanException;
import servelab.api.batch.Work;
import servelab.api.kv.KvAllocator;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;

/**
 * A one-replica engine for plugin unit tests, written against the SPI only (a bundle's tests cannot use the
 * runtime). It replays requests through a scheduler, a batcher and a KV allocator on a pool of blocks, with a toy
 * clock (1 ms + 1 us per token per step), and checks what the real engine checks, failing the test at once with
 * the rule broken: an ordering is a permutation of the queues, a plan names only candidates, each once, within
 * their uncomputed tokens and the free blocks, and a plan is not empty while requests wait. No prefix cache, no
 * speculation, an unbounded host tier for preemption by swap.
 *
 * {@snippet :
 * var run = new TinyEngine().batcher(new MyBatcher(), Map.of("max_num_seqs", 4)).blocks(16, 4)
 *         .run(List.of(TinyEngine.Request.of(0, 0, 20, 3)));
 * assertEquals(List.of(20, 1, 1), run.tokensPerStep());
 * }
 */
public final class TinyEngine {
    /** A request of the replayed trace; arrival in milliseconds. */
    public record Request(long id, long arrivalMs, int promptTokens, int outputTokens, String tenant, int priority) {
        public Request {
            if (promptTokens < 1 || outputTokens < 1) {
                throw new IllegalArgumentException("request " + id + " needs a prompt and an output of at least one"
                        + " token, was " + promptTokens + " and " + outputTokens);
            }
        }

        public static Request of(long id, long arrivalMs, int promptTokens, int outputTokens) {
            return new Request(id, arrivalMs, promptTokens, outputTokens, "default", 0);
        }
    }

    /** One engine step: its plan and what it computed. */
    public record Step(int index, long startNanos, List<Work> plan, int batchSize, int prefillTokens,
                       int decodeTokens, int blocksUsed, int blocksTotal) {}

    /** A finished request: its output, preemptions, and when it first ran and when it finished (toy clock). */
    public record Done(long id, int outputTokens, int preemptions, long firstScheduledNanos, long completionNanos) {}

    /** What a replay did; {@code requests} in the order they finished. */
    public record Run(List<Step> steps, Map<Long, Done> requests) {
        /** The finished request {@code id}. */
        public Done request(long id) {
            var done = requests.get(id);
            if (done == null) throw new AssertionError("request " + id + " did not finish");
            return done;
        }

        public int preemptions() {
            return requests.values().stream().mapToInt(Done::preemptions).sum();
        }

        public List<Integer> tokensPerStep() {
            return steps.stream().map(s -> s.prefillTokens() + s.decodeTokens()).toList();
        }

        public List<List<Work>> plans() {
            return steps.stream().map(Step::plan).toList();
        }

        /** Ids in the order their requests finished. */
        public List<Long> finishOrder() {
            return List.copyOf(requests.keySet());
        }
    }

    // suppliers, so each run of a plugin given by its factory starts from a fresh instance
    private Supplier<Scheduler> scheduler = ReferencePolicies::fcfs;
    private Supplier<Batcher> batcher = () -> ReferencePolicies.batcher(Map.of());
    private KvAllocator allocator = ReferencePolicies.pagedAllocator();
    private int blocks = 16;
    private int blockSize = 4;
    private int maxSteps = 20_000;

    public TinyEngine scheduler(Scheduler policy) {
        scheduler = () -> policy;
        return this;
    }

    /** The scheduler {@code factory} creates from {@code params}, a fresh one for each run. */
    public TinyEngine scheduler(PluginFactory<Scheduler> factory, Map<String, ?> params) {
        create(factory, params); // bad parameters fail here, where the test names them
        scheduler = () -> create(factory, params);
        return this;
    }

    public TinyEngine batcher(Batcher policy) {
        batcher = () -> policy;
        return this;
    }

    /** The batcher {@code factory} creates from {@code params}, a fresh one for each run. */
    public TinyEngine batcher(PluginFactory<Batcher> factory, Map<String, ?> params) {
        create(factory, params);
        batcher = () -> create(factory, params);
        return this;
    }

    public TinyEngine allocator(KvAllocator policy) {
        allocator = policy;
        return this;
    }

    public TinyEngine blocks(int count, int sizeTokens) {
        blocks = count;
        blockSize = sizeTokens;
        return this;
    }

    /** Steps after which a replay fails (a policy that keeps preempting what it admitted never ends). */
    public TinyEngine maxSteps(int steps) {
        maxSteps = steps;
        return this;
    }

    /** A policy from its factory, with {@code params} validated against its descriptor as the host does. */
    public static <T> T create(PluginFactory<T> factory, Map<String, ?> params) {
        var d = factory.descriptor();
        return factory.create(Params.validate(d.label(), d.params(), params));
    }

    public Run run(Request... requests) {
        return run(List.of(requests));
    }

    /** Replays {@code trace} to the end; throws {@link AssertionError} naming the rule a policy broke. */
    public Run run(List<Request> trace) {
        var pending = new ArrayList<>(trace);
        pending.sort(Comparator.comparingLong(Request::arrivalMs).thenComparingLong(Request::id));
        return new Replay(pending, scheduler.get(), batcher.get()).run();
    }

    /** A request of {@code promptTokens} and {@code outputTokens} arriving at {@code arrivalMs}. */
    public static Request request(long id, long arrivalMs, int promptTokens, int outputTokens) {
        return Request.of(id, arrivalMs, promptTokens, outputTokens);
    }

    public static Request request(long id, long arrivalMs, int promptTokens, int outputTokens, String tenant,
                                  int priority) {
        return new Request(id, arrivalMs, promptTokens, outputTokens, tenant, priority);
    }

    /** The state of one replay. */
    private final class Replay implements SchedulingContext, BatchContext {
        private final List<Request> pending;
        private final Scheduler scheduler;
        private final Batcher batcher;
        private final List<TinySeq> running = new ArrayList<>();
        private final List<TinySeq> waiting = new ArrayList<>();
        private final List<Step> steps = new ArrayList<>();
        private final Map<Long, Done> finished = new LinkedHashMap<>();
        private int next;
        private long nowNanos;
        private int preemptions;

        Replay(List<Request> pending, Scheduler scheduler, Batcher batcher) {
            this.pending = pending;
            this.scheduler = scheduler;
            this.batcher = batcher;
        }

        Run run() {
            while (finished.size() < pending.size()) {
                arrive();
                if (running.isEmpty() && waiting.isEmpty()) {
                    nowNanos = pending.get(next).arrivalMs() * 1_000_000L;
                    continue;
                }
                if (steps.size() >= maxSteps) {
                    throw new AssertionError("no end after " + maxSteps + " steps: " + finished.size() + " of "
                            + pending.size() + " requests done, " + preemptions + " preemptions");
                }
                step();
            }
            return new Run(List.copyOf(steps), Collections.unmodifiableMap(finished));
        }

        private void arrive() {
            while (next < pending.size() && pending.get(next).arrivalMs() * 1_000_000L <= nowNanos) {
                waiting.add(new TinySeq(pending.get(next++)));
            }
            waiting.sort(Comparator.comparingLong((TinySeq s) -> s.request.arrivalMs()).thenComparingLong(TinySeq::id));
        }

        private void step() {
            running.forEach(TinySeq::refreshView);
            waiting.forEach(TinySeq::refreshView);
            var order = scheduler.order(this);
            checkPermutation(views(running), order.running(), "running");
            checkPermutation(views(waiting), order.waiting(), "waiting");
            var plan = new TinyPlan(byId(running), byId(waiting));
            try {
                batcher.plan(order, this, plan);
            } catch (InvalidPlanException e) {
                throw new AssertionError("step " + steps.size() + ": the batcher made an invalid plan: " + e.getMessage(), e);
            } finally {
                plan.close();
            }
            var items = plan.planned();
            checkMemory(items);
            if (items.isEmpty()) {
                throw new AssertionError("step " + steps.size() + ": empty plan while " + running.size() + " run, "
                        + waiting.size() + " wait and " + freeBlocks() + " of " + blocks + " blocks are free");
            }
            long start = nowNanos;
            nowNanos += 1_000_000L + 1_000L * plan.plannedTokens();
            apply(items, start);
            steps.add(row(items, start));
        }

        private void checkMemory(List<Work> items) {
            int available = freeBlocks();
            int needed = 0;
            for (var w : items) {
                var s = find(w.seqId());
                switch (w) {
                    case Work.Preempt p -> available += s.heldBlocks;
                    case Work.PrefillChunk c -> needed += blocksNeeded(s.view, c.tokens());
                    case Work.Decode d -> needed += blocksNeeded(s.view, 1);
                    case Work.Verify v -> needed += blocksNeeded(s.view, v.tokens());
                }
            }
            if (needed > available) {
                throw new AssertionError("step " + steps.size() + ": the plan needs " + needed + " blocks, only "
                        + available + " are free (after its preemptions): " + items);
            }
        }

        private void apply(List<Work> items, long start) {
            for (var w : items) {
                if (w instanceof Work.Preempt p) preempt(find(p.seqId()), p);
            }
            for (var w : items) {
                if (w instanceof Work.Preempt) continue;
                var s = find(w.seqId());
                if (waiting.remove(s)) {
                    running.add(s);
                    s.swapped = false;
                    if (s.firstScheduledNanos < 0) s.firstScheduledNanos = start;
                }
                s.compute(w.tokens());
                s.heldBlocks = holds(s, s.computedTokens);
                if (s.isFinished()) {
                    running.remove(s);
                    finished.put(s.id(), new Done(s.id(), s.outputTokens, s.preemptions, s.firstScheduledNanos, nowNanos));
                }
            }
        }

        private void preempt(TinySeq s, Work.Preempt p) {
            running.remove(s);
            s.heldBlocks = 0;
            s.preemptions++;
            preemptions++;
            switch (p.mode()) {
                case RECOMPUTE -> s.computedTokens = 0;
                case SWAP -> s.swapped = true; // the host tier keeps the KV: computed tokens stay
            }
            waiting.add(s);
            waiting.sort(Comparator.comparingLong((TinySeq q) -> q.request.arrivalMs()).thenComparingLong(TinySeq::id));
        }

        private Step row(List<Work> items, long start) {
            int prefill = 0, decode = 0, batch = 0;
            for (var w : items) {
                switch (w) {
                    case Work.Preempt p -> { }
                    case Work.PrefillChunk c -> { prefill += c.tokens(); batch++; }
                    case Work.Decode d -> { decode++; batch++; }
                    case Work.Verify v -> { decode += v.tokens(); batch++; }
                }
            }
            return new Step(steps.size(), start, items, batch, prefill, decode, blocks - freeBlocks(), blocks);
        }

        private int holds(TinySeq s, int tokens) {
            int n = allocator.blocksToHold(s.view, tokens, blockSize);
            if (n < Math.ceilDiv(tokens, blockSize)) {
                throw new AssertionError("the KV allocator holds " + n + " blocks for " + tokens + " tokens of "
                        + blockSize + ", fewer than they fill");
            }
            return n;
        }

        private TinySeq find(long id) {
            for (var s : running) if (s.id() == id) return s;
            for (var s : waiting) if (s.id() == id) return s;
            throw new IllegalStateException("no sequence " + id);
        }

        // --- what policies see ------------------------------------------------------------------------------

        @Override public List<SeqView> running() { return views(running); }
        @Override public List<SeqView> waiting() { return views(waiting); }
        @Override public Clock clock() { return () -> nowNanos; }
        @Override public int cachedPrefixTokens(SeqView seq) { return 0; }
        @Override public int blockSizeTokens() { return blockSize; }
        @Override public int totalBlocks() { return blocks; }
        @Override public int admissionHeadroomBlocks() { return allocator.admissionHeadroomBlocks(blocks); }
        @Override public int draftTokens(SeqView seq) { return 0; }

        @Override
        public int freeBlocks() {
            int used = 0;
            for (var s : running) used += s.heldBlocks;
            return blocks - used;
        }

        @Override
        public int heldBlocks(SeqView seq) {
            var s = find(seq.id());
            return running.contains(s) ? s.heldBlocks : 0;
        }

        @Override
        public int blocksNeeded(SeqView seq, int newTokens) {
            var s = find(seq.id());
            return Math.max(0, holds(s, s.computedTokens + newTokens) - s.heldBlocks);
        }
    }

    private static List<SeqView> views(List<TinySeq> seqs) {
        return seqs.stream().map(s -> (SeqView) s.view).toList();
    }

    private static Map<Long, TinySeq> byId(List<TinySeq> seqs) {
        var map = new LinkedHashMap<Long, TinySeq>();
        for (var s : seqs) map.put(s.id(), s);
        return map;
    }

    /** Each candidate exactly once, by identity, as the engine checks. */
    static void checkPermutation(List<SeqView> queue, List<SeqView> ordered, String which) {
        if (ordered.size() != queue.size()) {
            throw new AssertionError(which + " ordering has " + ordered.size() + " sequences, the queue " + queue.size());
        }
        Set<SeqView> expected = Collections.newSetFromMap(new IdentityHashMap<>());
        expected.addAll(queue);
        Set<SeqView> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (var seq : ordered) {
            if (!expected.contains(seq)) throw new AssertionError(which + " ordering names " + seq + ", not in the queue");
            if (!seen.add(seq)) throw new AssertionError(which + " ordering names " + seq + " twice");
        }
    }
}

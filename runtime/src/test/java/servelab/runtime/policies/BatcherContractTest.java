package servelab.runtime.policies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.api.batch.Work;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SeqView;
import servelab.schedulers.fcfs.FcfsScheduler;

/**
 * What every batcher plugin promises, checked on seeded bursty replays through the real engine (which rejects a
 * plan that names a sequence twice, exceeds the uncomputed tokens, or needs more KV blocks than are free; a
 * rejected plan shows as a fault): budgets are never exceeded, memory is never overcommitted, no sequence appears
 * twice in a plan, and every request completes, whichever preemption mode and whichever victim order.
 */
abstract class BatcherContractTest {
    static final int MAX_SEQS = 4;
    static final int MAX_TOKENS = 32;

    /** The plugin under test. */
    abstract PluginFactory<Batcher> factory();

    /** Tight limits, so budgets and memory both bind: 4 sequences, 32 tokens per step. */
    Map<String, Object> tightParams() {
        return Map.of("max_num_seqs", MAX_SEQS, "max_num_batched_tokens", MAX_TOKENS);
    }

    /**
     * Last come, first served in both queues: the earliest-arrived running sequence is the first victim. A stable
     * ranking (unlike, say, "most recently admitted first", which lets two requests that cannot both fit evict
     * each other forever, with any batcher), so the most urgent request always progresses.
     */
    static final PluginFactory<Scheduler> LCFS = new PluginFactory<>() {
        @Override
        public PluginDescriptor descriptor() {
            return new PluginDescriptor(PluginKind.SCHEDULER, "lcfs", "1.0.0", "test: latest arrival first", List.of());
        }

        @Override
        public Scheduler create(Params params) {
            Comparator<SeqView> latestFirst = Comparator.comparingLong(SeqView::id).reversed();
            return ctx -> new Ordering(ctx.running().stream().sorted(latestFirst).toList(),
                    ctx.waiting().stream().sorted(latestFirst).toList());
        }
    };

    static Stream<Arguments> replays() {
        var cases = new ArrayList<Arguments>();
        for (long seed = 1; seed <= 6; seed++) {
            for (var mode : List.of("recompute", "swap")) {
                cases.add(Arguments.of(seed, mode, seed % 2 == 0 ? "lcfs" : "fcfs"));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "seed {0}, {1}, {2}")
    @MethodSource("replays")
    void plansStayWithinBudgetsAndMemoryAndEveryRequestCompletes(long seed, String mode, String scheduler) {
        // given: 40 bursty requests (prompts up to 60 tokens, so some exceed a step) on 20-31 blocks of 4 tokens
        var trace = RandomQueues.trace(seed, 40, 60, 20);
        var params = new HashMap<>(tightParams());
        params.put("preempt_mode", mode);
        var engine = PolicyEngine.with(factory(), params).blocks(20 + (int) (seed * 7 % 12), 4).hostBlocks(12)
                .scheduler(scheduler.equals("fcfs") ? new FcfsScheduler() : LCFS, Map.of());
        // when
        var rows = engine.run(trace);
        // then: the engine accepted every plan, and each stayed within the budgets and memory
        assertEquals(List.of(), rows.events("fault"));
        for (var it : rows.iterations) {
            assertTrue(it.batchSize() <= MAX_SEQS, "iteration " + it.iteration() + " ran " + it.batchSize() + " sequences");
            assertTrue(it.prefillTokens() + it.decodeTokens() <= MAX_TOKENS, "iteration " + it.iteration() + " computed "
                    + (it.prefillTokens() + it.decodeTokens()) + " tokens");
            assertTrue(it.kvBlocksUsed() <= it.kvBlocksTotal());
        }
        for (int step = 0; step < rows.plans.size(); step++) {
            var ids = new HashSet<Long>();
            for (Work w : rows.plans.get(step)) assertTrue(ids.add(w.seqId()), "step " + step + " names " + w.seqId() + " twice");
        }
        // and every request finished with all its tokens
        assertEquals(trace.size(), rows.requests.size());
        for (var request : trace) {
            var row = rows.request(request.id());
            assertTrue(row.isOk(), row.error());
            assertEquals(request.outputTokens(), row.outputTokens(), "request " + request.id());
        }
    }

    @Test
    void aLoneRequestRunsToCompletionWithItsDefaults() {
        // given: default parameters, one request of a 20-token prompt and 3 output tokens
        var rows = PolicyEngine.with(factory(), Map.of()).run(PolicyEngine.request(0, 0, 20, 3));
        // then: it completes: one prefill of the whole prompt (sampling token 1), then two decodes
        assertEquals(List.of(20, 1, 1), rows.tokensPerStep());
        assertEquals(3, rows.request(0).outputTokens());
    }

    @Test
    void theDescriptorNamesItsKindAndTheSharedLimits() {
        var d = factory().descriptor();
        assertEquals(PluginKind.BATCHER, d.kind());
        assertFalse(d.summary().isBlank());
        var names = d.params().stream().map(p -> p.name()).toList();
        assertTrue(names.containsAll(List.of("max_num_seqs", "max_num_batched_tokens", "preempt_mode")), names.toString());
        for (var p : d.params()) assertTrue(p.doc().length() > 10, "parameter " + p.name() + " needs a doc");
    }
}

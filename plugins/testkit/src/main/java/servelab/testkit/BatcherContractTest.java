package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.api.PluginKind;
import servelab.api.batch.Batcher;

/**
 * What every batcher promises, checked on seeded bursty replays through {@link TinyEngine} (which rejects a plan
 * that names a sequence twice or one that is not a candidate, exceeds the uncomputed tokens, or needs more KV
 * blocks than are free): the token and sequence budgets are never exceeded, and every request completes, whichever
 * preemption mode and whichever victim order. A batcher declares ServeLab's shared limits, {@code max_num_seqs},
 * {@code max_num_batched_tokens} and {@code preempt_mode}, so experiments can set them whatever the batcher.
 */
public abstract class BatcherContractTest extends PluginContract<Batcher> {
    protected static final int MAX_SEQS = 4;
    protected static final int MAX_TOKENS = 32;

    @Override
    protected final PluginKind kind() {
        return PluginKind.BATCHER;
    }

    /** Tight limits, so budgets and memory both bind: 4 sequences, 32 tokens per step. */
    protected Map<String, Object> tightParams() {
        return Map.of("max_num_seqs", MAX_SEQS, "max_num_batched_tokens", MAX_TOKENS);
    }

    static Stream<Arguments> replays() {
        var cases = new ArrayList<Arguments>();
        for (long seed = 1; seed <= 6; seed++) {
            for (var mode : List.of("recompute", "swap")) cases.add(Arguments.of(seed, mode, seed % 2 == 0 ? "lcfs" : "fcfs"));
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
        var engine = new TinyEngine().batcher(create(params)).blocks(20 + (int) (seed * 7 % 12), 4)
                .scheduler(scheduler.equals("fcfs") ? ReferencePolicies.fcfs() : ReferencePolicies.lcfs());
        // when: the engine checks every plan (candidates, once each, tokens, memory) on the way
        var run = engine.run(trace);
        // then: each step stayed within the budgets
        for (var step : run.steps()) {
            assertTrue(step.batchSize() <= MAX_SEQS, "step " + step.index() + " ran " + step.batchSize() + " sequences");
            assertTrue(step.prefillTokens() + step.decodeTokens() <= MAX_TOKENS, "step " + step.index() + " computed "
                    + (step.prefillTokens() + step.decodeTokens()) + " tokens");
        }
        // and every request finished with all its tokens
        for (var request : trace) {
            assertEquals(request.outputTokens(), run.request(request.id()).outputTokens(), "request " + request.id());
        }
    }

    @Test
    void aLoneRequestRunsToCompletionWithItsDefaults() {
        // given: default parameters, one request of a 20-token prompt and 3 output tokens
        var run = new TinyEngine().batcher(create()).run(TinyEngine.Request.of(0, 0, 20, 3));
        // then: one prefill of the whole prompt (sampling token 1), then two decodes
        assertEquals(List.of(20, 1, 1), run.tokensPerStep());
    }

    @Test
    void theDescriptorDeclaresTheSharedLimits() {
        var names = factory().descriptor().params().stream().map(p -> p.name()).toList();
        assertTrue(names.containsAll(List.of("max_num_seqs", "max_num_batched_tokens", "preempt_mode")), names.toString());
    }
}

package servelab.plugins.batching.continuous;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.batch.Batcher;
import servelab.testkit.BatcherContractTest;
import servelab.testkit.RandomQueues;
import servelab.testkit.TinyEngine;

class ContinuousBatcherTest extends BatcherContractTest {
    @Override
    protected PluginFactory<Batcher> factory() {
        return new ContinuousBatcher();
    }

    @Test
    void decodeFirstMixedIsTheSamePolicyUnderItsPaperName() {
        // given: the same bursty trace and tight limits for both names
        var trace = RandomQueues.trace(5, 30, 60, 20);
        var continuous = new TinyEngine().batcher(new ContinuousBatcher(), tightParams()).blocks(24, 4).run(trace);
        var mixed = new TinyEngine().batcher(new DecodeFirstMixedBatcher(), tightParams()).blocks(24, 4).run(trace);
        // then: step for step the same plans
        assertEquals(continuous.plans(), mixed.plans());
        assertEquals(new DecodeFirstMixedBatcher().descriptor().params(), new ContinuousBatcher().descriptor().params());
    }

    @Test
    void aRunningPromptTakesItsChunkAheadOfLaterDecodes() {
        // given: an 8-token budget; r0 (prompt 12) and r1 (prompt 2, 4 outputs) arrive together
        var rows = new TinyEngine().batcher(new ContinuousBatcher(), Map.of("max_num_batched_tokens", 8))
                .run(TinyEngine.request(0, 0, 12, 2), TinyEngine.request(1, 0, 2, 4));
        // then: r0 takes the whole first step; vLLM v1 order: running first, in scheduler order
        assertEquals("[PrefillChunk[seqId=0, tokens=8]]", rows.plans().get(0).toString());
        assertEquals("[PrefillChunk[seqId=0, tokens=4], PrefillChunk[seqId=1, tokens=2]]", rows.plans().get(1).toString());
    }

    @Test
    void withoutChunkingAPromptNoStepCouldHoldIsSplitNotLeftToStall() {
        // chunked_prefill false: a prompt over max_num_batched_tokens waited for "a step with room", which never comes
        var params = Map.of("max_num_batched_tokens", 8, "chunked_prefill", false);
        var rows = new TinyEngine().batcher(new ContinuousBatcher(), params).maxSteps(200)
                .run(TinyEngine.request(0, 0, 12, 2), TinyEngine.request(1, 0, 3, 2));
        assertEquals(2, rows.requests().size());
        assertEquals("[PrefillChunk[seqId=0, tokens=8]]", rows.plans().get(0).toString());
        // a prompt that fits a step still waits whole for one with room: r1's 3 tokens do not follow r0's 4 in step 2
        var whole = new TinyEngine().batcher(new ContinuousBatcher(), params).maxSteps(200)
                .run(TinyEngine.request(0, 0, 6, 3), TinyEngine.request(1, 0, 3, 2));
        assertEquals("[PrefillChunk[seqId=0, tokens=6]]", whole.plans().get(0).toString());
    }

    @Test
    void withoutChunkingAPreemptedSequenceWhoseRecomputeOutgrewTheBudgetResumes() {
        // recompute: a preempted sequence's prompt and output so far are computed again; r1 (the last in order, so the
        // one preempted) has 12 + 9 then, over a 16-token budget: without chunking it never ran again
        var params = Map.of("max_num_batched_tokens", 16, "chunked_prefill", false, "max_num_seqs", 4);
        var run = new TinyEngine().batcher(new ContinuousBatcher(), params).blocks(8, 4).maxSteps(2_000)
                .run(TinyEngine.request(0, 0, 4, 12), TinyEngine.request(1, 0, 12, 12));
        assertEquals(2, run.requests().size());
        assertEquals(12, run.request(0).outputTokens());
        assertEquals(12, run.request(1).outputTokens());
        assertEquals(true, run.preemptions() > 0, "the pool is too small for both: one is preempted");
    }
}

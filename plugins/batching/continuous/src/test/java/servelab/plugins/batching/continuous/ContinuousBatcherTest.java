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
}

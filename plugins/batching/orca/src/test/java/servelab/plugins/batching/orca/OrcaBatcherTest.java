package servelab.plugins.batching.orca;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static servelab.testkit.TinyEngine.request;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.batch.Batcher;
import servelab.testkit.BatcherContractTest;
import servelab.testkit.TinyEngine;

class OrcaBatcherTest extends BatcherContractTest {
    @Override
    protected PluginFactory<Batcher> factory() {
        return new OrcaBatcher();
    }

    @Test
    void admitsWholePromptsAndStopsAtTheFirstThatDoesNotFit() {
        // given: a 16-token budget; prompts of 10, 10 and 4 tokens arrive together
        var rows = new TinyEngine().batcher(new OrcaBatcher(), Map.of("max_num_batched_tokens", 16))
                .run(request(0, 0, 10, 2), request(1, 0, 10, 2), request(2, 0, 4, 2));
        // then: step 0 takes r0 whole; r1 does not fit the 6 tokens left, and r2 may not jump the queue
        assertEquals("[PrefillChunk[seqId=0, tokens=10]]", rows.plans().get(0).toString());
        // step 1: r0 decodes, then r1 and r2 join with their whole prompts (1 + 10 + 4 = 15 tokens)
        assertEquals("[Decode[seqId=0], PrefillChunk[seqId=1, tokens=10], PrefillChunk[seqId=2, tokens=4]]",
                rows.plans().get(1).toString());
    }

    @Test
    void splitsOnlyAPromptThatNoStepCouldHold() {
        // given: an 8-token budget and a 20-token prompt, which no step could hold whole
        var rows = new TinyEngine().batcher(new OrcaBatcher(), Map.of("max_num_batched_tokens", 8)).run(request(0, 0, 20, 2));
        // then: budget-sized chunks instead of a stall, then a decode
        assertEquals(List.of(8, 8, 4, 1), rows.tokensPerStep());
    }
}

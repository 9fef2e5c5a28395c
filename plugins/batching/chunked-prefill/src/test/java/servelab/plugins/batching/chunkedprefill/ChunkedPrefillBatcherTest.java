package servelab.plugins.batching.chunkedprefill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static servelab.testkit.TinyEngine.request;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.batch.Batcher;
import servelab.testkit.BatcherContractTest;
import servelab.testkit.TinyEngine;

class ChunkedPrefillBatcherTest extends BatcherContractTest {
    @Override
    protected PluginFactory<Batcher> factory() {
        return new ChunkedPrefillBatcher();
    }

    @Override
    protected Map<String, Object> tightParams() {
        return Map.of("max_num_seqs", MAX_SEQS, "max_num_batched_tokens", MAX_TOKENS, "chunk_size", 16);
    }

    @Test
    void capsEachChunkSoAShortPromptJoinsTheSameStep() {
        // given: an 8-token budget and 4-token chunks; r0 (prompt 12) and r1 (prompt 2, 4 outputs) arrive together
        var rows = new TinyEngine().batcher(new ChunkedPrefillBatcher(), Map.of("max_num_batched_tokens", 8, "chunk_size", 4))
                .run(request(0, 0, 12, 2), request(1, 0, 2, 4));
        // then: step 0 takes a 4-token chunk of r0 and all of r1's short prompt
        assertEquals("[PrefillChunk[seqId=0, tokens=4], PrefillChunk[seqId=1, tokens=2]]", rows.plans().get(0).toString());
        // step 1: r1's decode goes first although r0 was scheduled before it, then r0's next chunk
        assertEquals("[Decode[seqId=1], PrefillChunk[seqId=0, tokens=4]]", rows.plans().get(1).toString());
    }

    @Test
    void fillsTheTokenBudgetWithDecodesFirstThenChunks() {
        // given: a 6-token budget, 8-token chunks; r0 decodes while r1 (prompt 20) arrives
        var rows = new TinyEngine().batcher(new ChunkedPrefillBatcher(), Map.of("max_num_batched_tokens", 6, "chunk_size", 8))
                .run(request(0, 0, 2, 6), request(1, 1, 20, 1));
        // then: after r0's prefill, each step is r0's decode plus 5 of r1's prompt tokens; r0 decodes alone at the end
        assertEquals(List.of(2, 6, 6, 6, 6, 1), rows.tokensPerStep());
    }

    @Test
    void aDecodeThatRunsOutOfMemoryGivesWayRatherThanEvictAMoreUrgentPrompt() {
        // given: 4 blocks of 4 tokens, 4-token chunks; r0 (prompt 15) scheduled before r1 (prompt 2, 8 outputs)
        var rows = new TinyEngine().batcher(new ChunkedPrefillBatcher(), Map.of("max_num_batched_tokens", 8, "chunk_size", 4))
                .blocks(4, 4).run(request(0, 0, 15, 1), request(1, 0, 2, 8));
        // when: in step 3 memory is full, r1's decode needs a new block and r0 needs one for its last chunk
        // then: r1, the less urgent, is preempted; r0 keeps its 12 computed tokens and finishes its prompt
        assertEquals("[Preempt[seqId=1, mode=RECOMPUTE], PrefillChunk[seqId=0, tokens=3]]", rows.plans().get(3).toString());
        assertEquals(0, rows.request(0).preemptions());
        assertEquals(1, rows.request(1).preemptions());
    }
}

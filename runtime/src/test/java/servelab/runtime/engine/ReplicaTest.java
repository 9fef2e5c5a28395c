package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.runtime.engine.TinyEngine.request;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ReplicaTest {

    @Test
    void splitsLongPromptAcrossSteps() {
        // given: an 8-token budget per step, one request with a 20-token prompt and 2 output tokens
        var engine = new TinyEngine(16, 4, Map.of("max_num_batched_tokens", 8));
        // when
        var rows = engine.run(request(0, 0, 20, 2));
        // then: prefill is split 8 + 8 + 4 (the last chunk samples token 1), then one decode for token 2
        assertEquals(List.of(8, 8, 4, 1), rows.tokensPerStep());
        assertEquals(1, rows.requests.size());
        assertEquals(2, rows.requests.getFirst().outputTokens());
    }

    @Test
    void decodesRunBeforeNewPrefillsAndShareTheStep() {
        // given: a 10-token budget; r0 (prompt 4) arrives first, r1 (prompt 6) while r0 decodes
        var engine = new TinyEngine(16, 4, Map.of("max_num_batched_tokens", 10));
        var rows = engine.run(request(0, 0, 4, 3), request(1, 1, 6, 1));
        // then: step 0 prefills r0 (4); step 1 decodes r0 (1) and prefills r1 (6) together; step 2 decodes r0
        assertEquals(List.of(4, 7, 1), rows.tokensPerStep());
        assertEquals(List.of(1L, 0L), rows.requests.stream().map(r -> r.requestId()).toList());
    }

    @Test
    void timesFollowTheCostModel() {
        // given: a toy cost of 1 ms + 1 us per token; one request of prompt 4, output 2 arriving at t = 0
        var rows = new TinyEngine(16, 4, Map.of()).run(request(0, 0, 4, 2));
        var r = rows.requests.getFirst();
        // then: first token after the 4-token prefill (1.004 ms), second after a 1-token decode (+1.001 ms)
        assertEquals(1_004_000L, r.firstTokenNanos());
        assertEquals(2_005_000L, r.completionNanos());
        assertEquals(0L, r.firstScheduledNanos());
    }

    @Test
    void preemptsTheLatestRunningSequenceWhenMemoryRunsOut() {
        // given: 4 blocks of 4 tokens; two requests whose prompts fill 2 blocks each and then need more
        var engine = new TinyEngine(4, 4, Map.of());
        var rows = engine.run(request(0, 0, 8, 4), request(1, 0, 8, 4));
        // then: both finish; r1 (scheduled last) was preempted to let r0 grow, and recomputed later
        assertEquals(2, rows.requests.size());
        var byId = rows.requests.stream().collect(java.util.stream.Collectors.toMap(r -> r.requestId(), r -> r));
        assertEquals(0, byId.get(0L).preemptions());
        assertTrue(byId.get(1L).preemptions() >= 1, "r1 should have been preempted");
        assertTrue(rows.events.stream().anyMatch(e -> e.type().equals("preempt") && e.from().equals("1")));
        // and every block is free again
        assertEquals(4, engine.replica.freeBlocks());
    }

    @Test
    void rejectsARequestThatCanNeverFitWithAClearError() {
        // given: 4 blocks of 4 tokens = 16 tokens; a request of 20 tokens in all, 19 to store
        var rows = new TinyEngine(4, 4, Map.of()).run(request(0, 0, 16, 4), request(1, 0, 4, 1));
        var failed = rows.requests.stream().filter(r -> !r.error().isEmpty()).toList();
        assertEquals(1, failed.size());
        assertEquals("request needs 5 KV blocks for 19 tokens (its prompt and all its output but the last token); "
                + "the replica has 4", failed.getFirst().error());
        assertEquals(2, rows.requests.size());
    }

    @Test
    void aRequestWhoseLastTokenIsTheOnlyOneOverThePoolFits() {
        // given: 4 blocks of 4 tokens; 14 prompt + 3 output tokens: 16 stored, the last sampled and never stored
        var engine = new TinyEngine(4, 4, Map.of());
        var rows = engine.run(request(0, 0, 14, 3));
        // then: served (it was refused as needing 5 blocks for 17 tokens)
        assertEquals("", rows.requests.getFirst().error());
        assertEquals(3, rows.requests.getFirst().outputTokens());
        assertEquals(4, engine.replica.freeBlocks());
    }
}

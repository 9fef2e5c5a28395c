package servelab.plugins.batching.prefillfirst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static servelab.testkit.TinyEngine.request;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.batch.Batcher;
import servelab.testkit.BatcherContractTest;
import servelab.testkit.TinyEngine;

class PrefillFirstBatcherTest extends BatcherContractTest {
    @Override
    protected PluginFactory<Batcher> factory() {
        return new PrefillFirstBatcher();
    }

    @Test
    void aPrefillStepStallsEveryDecode() {
        // given: r0 (prompt 4, 4 outputs) is decoding when r1 (prompt 8) arrives at 2 ms
        var rows = new TinyEngine().batcher(new PrefillFirstBatcher(), Map.of())
                .run(request(0, 0, 4, 4), request(1, 2, 8, 1));
        // then: step 0 prefills r0, step 1 decodes it; the step after r1 arrives prefills r1 alone (r0 stalls)
        assertEquals("[PrefillChunk[seqId=0, tokens=4]]", rows.plans().get(0).toString());
        assertEquals("[Decode[seqId=0]]", rows.plans().get(1).toString());
        assertEquals("[PrefillChunk[seqId=1, tokens=8]]", rows.plans().get(2).toString());
        assertEquals("[Decode[seqId=0]]", rows.plans().get(3).toString());
    }

    @Test
    void decodesWhenNoPromptCanBeAdmitted() {
        // given: max_num_seqs 1, so r1 cannot join while r0 holds KV
        var rows = new TinyEngine().batcher(new PrefillFirstBatcher(), Map.of("max_num_seqs", 1))
                .run(request(0, 0, 4, 3), request(1, 0, 4, 1));
        // then: r0 runs to the end (prefill, 2 decodes) before r1's prefill
        assertEquals("[[PrefillChunk[seqId=0, tokens=4]], [Decode[seqId=0]], [Decode[seqId=0]], "
                + "[PrefillChunk[seqId=1, tokens=4]]]", rows.plans().toString());
    }

    @Test
    void aPromptUnderWayWhileASwappedSequenceWaitsGoesOnInAPrefillOnlyStep() {
        // given: a small pool with swap preemption, a budget of 8 tokens (long prompts are split), prompts of 4-20
        var trace = new java.util.ArrayList<TinyEngine.Request>();
        for (int i = 0; i < 12; i++) trace.add(request(i, i * 3L, 4 + (i * 7) % 17, 6 + i % 5));
        var rows = new TinyEngine().blocks(10, 4)
                .batcher(new PrefillFirstBatcher(), Map.of("max_num_batched_tokens", 8, "preempt_mode", "swap"))
                .run(trace);
        // then: every step is prompts only or decodes only (a prompt's chunk rode in decode steps while a swapped
        // sequence waited, since new prompts were held back and the decode pass ran every running sequence)
        var mixed = new java.util.ArrayList<String>();
        for (var plan : rows.plans()) {
            boolean prefill = plan.stream().anyMatch(w -> w instanceof servelab.api.batch.Work.PrefillChunk);
            boolean decode = plan.stream().anyMatch(w -> w instanceof servelab.api.batch.Work.Decode);
            if (prefill && decode) mixed.add(plan.toString());
        }
        assertEquals(List.of(), mixed);
        assertEquals(12, rows.requests().size());
        org.junit.jupiter.api.Assertions.assertTrue(rows.preemptions() > 0, "the pool was small enough to swap");
    }
}

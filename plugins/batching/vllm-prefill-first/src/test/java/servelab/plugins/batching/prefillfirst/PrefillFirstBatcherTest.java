package servelab.plugins.batching.prefillfirst;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static servelab.testkit.TinyEngine.request;

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
}

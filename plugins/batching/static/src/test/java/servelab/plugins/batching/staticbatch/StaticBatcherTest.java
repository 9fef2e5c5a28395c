package servelab.plugins.batching.staticbatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.testkit.TinyEngine.request;

import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.batch.Batcher;
import servelab.testkit.BatcherContractTest;
import servelab.testkit.TinyEngine;

class StaticBatcherTest extends BatcherContractTest {
    @Override
    protected PluginFactory<Batcher> factory() {
        return new StaticBatcher();
    }

    @Test
    void admitsNothingNewUntilTheWholeBatchFinishes() {
        // given: batches of 2; r0 (1 output), r1 (3 outputs) and r2 arrive together
        var rows = new TinyEngine().batcher(new StaticBatcher(), Map.of("max_num_seqs", 2))
                .run(request(0, 0, 4, 1), request(1, 0, 4, 3), request(2, 0, 4, 1));
        // then: r0 finishes in step 0, but its slot stays empty until r1 is done; only then r2 starts
        assertEquals("[[PrefillChunk[seqId=0, tokens=4], PrefillChunk[seqId=1, tokens=4]], [Decode[seqId=1]], "
                + "[Decode[seqId=1]], [PrefillChunk[seqId=2, tokens=4]]]", rows.plans().toString());
    }

    @Test
    void reservesThePaddedLengthOfEveryMemberWhenFormingABatch() {
        // given: 8 blocks of 4 tokens; r0 has a 12-token prompt and 4 outputs, r1 a 4-token prompt and 12 outputs
        var rows = new TinyEngine().batcher(new StaticBatcher(), Map.of()).blocks(8, 4)
                .run(request(0, 0, 12, 4), request(1, 0, 4, 12));
        // then: each needs 4 blocks, but padded to the batch's longest prompt and output each would need 6, and
        // 2 x 6 > 8: r1 waits for the next batch
        assertEquals("[PrefillChunk[seqId=0, tokens=12]]", rows.plans().get(0).toString());
        assertTrue(rows.request(1).firstScheduledNanos() >= rows.request(0).completionNanos());
    }
}

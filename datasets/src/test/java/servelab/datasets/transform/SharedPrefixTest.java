package servelab.datasets.transform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;

class SharedPrefixTest {
    private static List<TraceRequest> trace(int n, int prompt) {
        var list = new ArrayList<TraceRequest>();
        for (int i = 0; i < n; i++) list.add(TraceRequest.of(i, i * 1000L, prompt, 10));
        return list;
    }

    @Test
    void aShareOfRequestsStartsWithOneOfThePrompts() throws Exception {
        var out = TracePipeline.of(trace(4000, 300)).sharedPrefix(3, 100, 0.75, 16, 42).toList();
        long shared = out.stream().filter(r -> r.prefixBlockIds().length > 0).count();
        // 75% of 4,000 = 3,000 with a standard deviation of about 27
        assertTrue(Math.abs(shared - 3000) < 5 * 27, "shared " + shared);
        var distinct = new HashSet<Long>();
        for (var r : out) {
            if (r.prefixBlockIds().length == 0) continue;
            assertEquals(6, r.prefixBlockIds().length, "100 tokens round down to 6 blocks of 16");
            assertEquals(16, r.prefixBlockTokens());
            distinct.add(r.prefixBlockIds()[0]);
        }
        assertEquals(3, distinct.size(), "three different system prompts");
    }

    @Test
    void theChoiceDependsOnlyOnTheSeedAndTheRequest() throws Exception {
        var a = TracePipeline.of(trace(200, 300)).sharedPrefix(4, 64, 0.5, 16, 7).toList();
        var b = TracePipeline.of(trace(200, 300)).first(200).sharedPrefix(4, 64, 0.5, 16, 7).toList();
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).prefixBlockIds(), b.get(i).prefixBlockIds());
    }

    @Test
    void aShortPromptSharesOnlyItsOwnWholeBlocks() throws Exception {
        var out = TracePipeline.of(trace(50, 40)).sharedPrefix(1, 1000, 1.0, 16, 1).toList();
        assertTrue(out.stream().allMatch(r -> r.prefixBlockIds().length == 2), "40 tokens = 2 whole blocks");
    }

    @Test
    void aTraceWithPrefixBlocksIsRejected() {
        var r = new TraceRequest(0, 0, 100, 1, "default", 0, new long[] {5}, 512);
        var e = assertThrows(IllegalArgumentException.class,
                () -> TracePipeline.of(List.of(r)).sharedPrefix(1, 64, 1.0, 16, 1).toList());
        assertTrue(e.getMessage().contains("already has prefix blocks"), e.getMessage());
    }
}

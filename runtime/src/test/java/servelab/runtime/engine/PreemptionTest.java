package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.runtime.engine.TinyEngine.request;

import java.util.Map;

import org.junit.jupiter.api.Test;

class PreemptionTest {

    @Test
    void swapPreemptionKeepsComputedTokensAndChargesTheTransfer() {
        // given: 4 device blocks of 4 tokens, 8 host blocks, swap preemption
        var engine = new TinyEngine(4, 4, Map.of("preempt_mode", "swap"), 8);
        var rows = engine.run(request(0, 0, 8, 4), request(1, 0, 8, 4));
        var events = rows.events.stream().filter(e -> e.type().equals("preempt")).toList();
        assertTrue(!events.isEmpty(), "expected a preemption");
        assertTrue(events.stream().allMatch(e -> e.to().equals("swap")), events.toString());
        // a swapped sequence resumes with its KV: no step recomputes its prompt, so prefill tokens total 16
        assertEquals(16, rows.iterations.stream().mapToInt(i -> i.prefillTokens()).sum());
        assertEquals(2, rows.requests.size());
        assertEquals(4, engine.replica.freeBlocks());
    }

    @Test
    void aSwapWithoutAHostTierIsARecomputeThatSaysWhy() {
        var rows = new TinyEngine(4, 4, Map.of("preempt_mode", "swap")).run(request(0, 0, 8, 4), request(1, 0, 8, 4));
        var events = rows.events.stream().filter(e -> e.type().equals("preempt")).toList();
        assertTrue(!events.isEmpty(), "expected a preemption");
        // it said "host tier full" of a tier that does not exist
        for (var e : events) {
            assertEquals("recompute", e.to());
            assertEquals("no host tier (kv.host_blocks is 0): recomputing instead", e.detail());
        }
    }

    @Test
    void recomputePreemptionRecomputesPromptAndOutputSoFar() {
        var engine = new TinyEngine(4, 4, Map.of());
        var rows = engine.run(request(0, 0, 8, 4), request(1, 0, 8, 4));
        // the preempted request recomputes its prompt plus the tokens it had generated
        assertTrue(rows.iterations.stream().mapToInt(i -> i.prefillTokens()).sum() > 16);
        assertEquals(2, rows.requests.size());
    }
}

package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.runtime.engine.TinyEngine.request;

import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.plugins.caching.contiguous.ContiguousKvAllocator;

class ContiguousAllocationTest {

    private static TinyEngine contiguous(int blocks, Map<String, Object> params) {
        var engine = new TinyEngine(blocks, 4, Map.of());
        engine.kv.install(TinyEngine.installed(new ContiguousKvAllocator(), params));
        return engine;
    }

    @Test
    void reservesTheMaximumContextAtAdmissionSoFewerRequestsRunTogether() {
        // given: 16 blocks of 4 tokens; each request reserves a 32-token context (8 blocks) at admission
        var engine = contiguous(16, Map.of("max_context_tokens", 32));
        var rows = engine.run(request(0, 0, 4, 4), request(1, 0, 4, 4), request(2, 0, 4, 4));
        // then: the first step admits two requests (16 blocks), the third waits for one to finish
        assertEquals(2, rows.iterations.getFirst().batchSize());
        assertEquals(16, rows.iterations.getFirst().kvBlocksUsed());
        // two sequences each holding 8 blocks (32 slots) for 4 computed tokens: 56 reserved but unused
        assertEquals(8, rows.iterations.getFirst().kvTokensStored());
        assertEquals(56, rows.iterations.getFirst().kvTokensReservedUnused());
        assertEquals(3, rows.requests.size());
        engine.replica.checkInvariants();
    }

    @Test
    void pagedAllocationAdmitsAllOfThemAndWastesOnlyTheLastBlock() {
        var rows = new TinyEngine(16, 4, Map.of()).run(request(0, 0, 4, 4), request(1, 0, 4, 4), request(2, 0, 4, 4));
        assertEquals(3, rows.iterations.getFirst().batchSize());
        assertEquals(0, rows.iterations.getFirst().kvTokensReservedUnused(), "4-token prompts fill their block");
        assertTrue(rows.iterations.get(1).kvTokensReservedUnused() <= 3 * 3, "at most 3 empty slots per sequence");
    }

    @Test
    void theOracleReservationIsThePromptPlusTheOutputLimit() {
        var engine = contiguous(16, Map.of("reserve", "request"));
        var rows = engine.run(request(0, 0, 4, 4), request(1, 0, 4, 4), request(2, 0, 4, 4));
        // 8 tokens each = 2 blocks: all three fit at once
        assertEquals(3, rows.iterations.getFirst().batchSize());
        assertEquals(6, rows.iterations.getFirst().kvBlocksUsed());
    }
}

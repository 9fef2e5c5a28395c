package servelab.plugins.caching.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.kv.Eviction;
import servelab.testkit.EvictionContractTest;

class SlruEvictionTest extends EvictionContractTest {
    @Override
    protected PluginFactory<Eviction> factory() {
        return new SlruEviction();
    }

    @Test
    void aBlockHitOnceOutlivesNewerBlocksSeenOnce() {
        // given: 0 and 1 filled, 0 hit (protected), then 2 filled
        var e = create();
        fill(e, 0, 0);
        fill(e, 1, 0);
        hit(e, 0, 0);
        fill(e, 2, 0);
        // then: probation (1, 2) goes first, though 0 was used before 2 (LRU would give 1, 0, 2)
        assertEquals(List.of(1, 2, 0), evictAll(e));
    }

    @Test
    void theProtectedSegmentKeepsItsShareByDemotingItsLeastRecentBlock() {
        // given: half of the cache may be protected; 0..3 filled, then 0, 1, 2 hit
        var e = create(Map.of("protected_fraction", 0.5));
        for (int b = 0; b < 4; b++) fill(e, b, 0);
        hit(e, 0, 0);
        hit(e, 1, 0);
        hit(e, 2, 0); // protected would be 0, 1, 2 of 4 blocks: 0 goes back to probation's recent end
        fill(e, 4, 0);
        // then: probation in recency order (3, 0, 4), then protected (1, 2); LRU would give 3, 0, 1, 2, 4
        assertEquals(List.of(3, 0, 4, 1, 2), evictAll(e));
    }
}

package servelab.plugins.caching.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.kv.Eviction;
import servelab.testkit.EvictionContractTest;

class GdsfEvictionTest extends EvictionContractTest {
    @Override
    protected PluginFactory<Eviction> factory() {
        return new GdsfEviction();
    }

    @Test
    void aDeeperBlockOutlivesAShallowerOneUsedAsOften() {
        // given: block 0 at depth 10 (H = 1 + 0.1 x 10.5 = 2.05), then block 1 at depth 0 (H = 1.05)
        var e = create(Map.of("depth_weight", 0.1));
        fill(e, 0, 10);
        fill(e, 1, 0);
        // then: recomputing 1 is cheaper, though it is the more recent (LRU would give 0, 1)
        assertEquals(List.of(1, 0), evictAll(e));
    }

    @Test
    void theClockAgesABlockThatIsNoLongerHit() {
        // given: cost 1 per block; block 0 used three times (H = 3); then new blocks pass through one at a time
        var e = create(Map.of("depth_weight", 0.0));
        fill(e, 0, 0);
        hit(e, 0, 0);
        hit(e, 0, 0);
        fill(e, 1, 0); // H = 0 + 1
        assertEquals(1, e.evict(0)); // L = 1
        fill(e, 2, 0); // H = 1 + 1
        assertEquals(2, e.evict(0)); // L = 2
        fill(e, 3, 0); // H = 2 + 1, equal to block 0's
        // then: the clock has caught up with block 0, which goes before 3 as the less recent (LFU keeps 0)
        assertEquals(List.of(0, 3), evictAll(e));
    }

    @Test
    void theClockDoesNotGoBackWhenABlockHeldLongIsEvicted() {
        // given: block 0 (H = 1) stays referenced while the clock rises to 2
        var e = create(Map.of("depth_weight", 0.0));
        e.used(0, 0, 0);
        fill(e, 1, 0);
        assertEquals(1, e.evict(0)); // L = 1
        fill(e, 2, 0);
        assertEquals(2, e.evict(0)); // L = 2
        fill(e, 3, 0); // H = 3
        // when: 0 is released and, with the smallest H, evicted
        e.released(0, 0);
        assertEquals(0, e.evict(0));
        fill(e, 4, 0);
        // then: L stayed 2, so 4 has H = 3 and goes after the older 3 (had L fallen to 1, 4 would go first)
        assertEquals(List.of(3, 4), evictAll(e));
    }
}

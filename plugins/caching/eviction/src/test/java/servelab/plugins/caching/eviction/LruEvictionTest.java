package servelab.plugins.caching.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.kv.Eviction;
import servelab.testkit.EvictionContractTest;

class LruEvictionTest extends EvictionContractTest {
    @Override
    protected PluginFactory<Eviction> factory() {
        return new LruEviction();
    }

    @Test
    void evictsTheLeastRecentlyUsedBlockFirst() {
        // given: blocks 0, 1, 2 filled in that order, then 0 hit
        var e = create();
        fill(e, 0, 0);
        fill(e, 1, 1);
        fill(e, 2, 2);
        hit(e, 0, 0);
        // then: 1 and 2 are older than 0's hit
        assertEquals(List.of(1, 2, 0), evictAll(e));
    }

    @Test
    void aBlockHandedOverAtASwapIsOlderThanAnythingUsedSince() {
        // given: a new policy hears of cached block 5 only through released(), then block 1 is filled
        var e = create();
        e.released(5, 0);
        fill(e, 1, 0);
        // then
        assertEquals(List.of(5, 1), evictAll(e));
    }
}

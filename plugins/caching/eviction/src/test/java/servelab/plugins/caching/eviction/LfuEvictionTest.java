package servelab.plugins.caching.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.kv.Eviction;
import servelab.testkit.EvictionContractTest;

class LfuEvictionTest extends EvictionContractTest {
    @Override
    protected PluginFactory<Eviction> factory() {
        return new LfuEviction();
    }

    @Test
    void evictsTheLeastUsedBlockFirstAndTheLeastRecentAmongEquals() {
        // given: 0, 1, 2, 3 filled; 1 and 3 hit once: uses 1, 2, 1, 2
        var e = create();
        for (int b = 0; b < 4; b++) fill(e, b, b);
        hit(e, 1, 1);
        hit(e, 3, 3);
        // then: the single-use blocks first, oldest first, then the twice-used ones
        assertEquals(List.of(0, 2, 1, 3), evictAll(e));
    }

    @Test
    void aBlockFilledAgainAfterItsEvictionStartsCountingAgain() {
        // given: block 0 used 4 times and released; block 1 filled and hit, still referenced
        var e = create();
        fill(e, 0, 0);
        for (int i = 0; i < 3; i++) hit(e, 0, 0);
        e.used(1, 0, 0);
        e.used(1, 0, 0);
        // when: 0 is the only candidate, so it goes, and is filled again with new content; then 1 is released
        assertEquals(0, e.evict(0));
        fill(e, 0, 0);
        e.released(1, 0);
        // then: 0 has one use now, 1 has two
        assertEquals(List.of(0, 1), evictAll(e));
    }
}

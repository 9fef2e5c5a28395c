package servelab.plugins.caching.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.kv.Eviction;
import servelab.testkit.EvictionContractTest;

class FifoEvictionTest extends EvictionContractTest {
    @Override
    protected PluginFactory<Eviction> factory() {
        return new FifoEviction();
    }

    @Test
    void evictsInFillOrderWhateverTheHits() {
        // given: blocks 0, 1, 2 filled in that order, then 0 hit twice
        var e = create();
        fill(e, 0, 0);
        fill(e, 1, 1);
        fill(e, 2, 2);
        hit(e, 0, 0);
        hit(e, 0, 0);
        // then: the hits change nothing
        assertEquals(List.of(0, 1, 2), evictAll(e));
    }

    @Test
    void aBlockFilledAgainAfterItsEvictionIsNew() {
        // given: 0 then 1 filled; 0 evicted and filled again with new content
        var e = create();
        fill(e, 0, 0);
        fill(e, 1, 0);
        assertEquals(0, e.evict(0));
        fill(e, 0, 0);
        // then: 1 is now the oldest content
        assertEquals(List.of(1, 0), evictAll(e));
    }
}

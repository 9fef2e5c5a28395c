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

    @Override
    protected List<java.util.Map<String, Object>> parameterSets() {
        return List.of(java.util.Map.of(), java.util.Map.of("order", "release"));
    }

    @Test
    void inReleaseOrderAChainIsEvictedFromItsTailAsVllmFreesIt() {
        // given: a request used chain 0 -> 1 -> 2 (head first) and the engine released it tail first, then 9 later
        for (var order : List.of("use", "release")) {
            var e = create(java.util.Map.of("order", order));
            for (int depth = 0; depth < 3; depth++) e.used(depth, depth, 0);
            for (int block = 2; block >= 0; block--) e.released(block, 0);
            fill(e, 9, 0);
            // then: by use the head went first, leaving 1 and 2 cached and unreachable; by release the tail goes first
            assertEquals(order.equals("use") ? List.of(0, 1, 2, 9) : List.of(2, 1, 0, 9), evictAll(e), order);
        }
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

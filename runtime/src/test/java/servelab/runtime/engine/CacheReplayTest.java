package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import servelab.api.Params;
import servelab.api.kv.Eviction;
import servelab.api.kv.PrefixCache;
import servelab.datasets.ReadOptions;
import servelab.datasets.TraceRequest;
import servelab.datasets.Traces;
import servelab.plugins.caching.eviction.LruEviction;
import servelab.plugins.caching.prefix.HashBlockPrefixCache;

class CacheReplayTest {
    private static PrefixCache hashBlock() {
        return new HashBlockPrefixCache().create(Params.defaults(List.of()));
    }

    private static Eviction lru() {
        var lru = new LruEviction();
        return lru.create(Params.defaults(lru.descriptor().params()));
    }

    private static TraceRequest blocks(long id, long... ids) {
        return new TraceRequest(id, id, ids.length * 4, 1, "default", 0, ids, 4);
    }

    @Test
    void countsPrefixHitsInArrivalOrder() {
        // given: blocks of 4 tokens; r0 = [1 2 3], r1 = [1 2 9], r2 = [1 5], r3 = [1 2 3]
        var trace = List.of(blocks(0, 1, 2, 3), blocks(1, 1, 2, 9), blocks(2, 1, 5), blocks(3, 1, 2, 3));
        var result = CacheReplay.run(trace.iterator(), hashBlock(), lru(), 100, 4);
        // then: hits 0 + 2 + 1 + 3 = 6 of 11 blocks
        assertEquals(11, result.blocks());
        assertEquals(6, result.hitBlocks());
    }

    @Test
    void aPromptWithoutPrefixIdsCountsItsPartialLastBlockAsOneWithIdsDoes() {
        // given: blocks of 4 tokens; r0 = [1 2] over 6 tokens (padded to its 2 blocks), r1 = 6 tokens, no ids
        var r0 = new TraceRequest(0, 0, 6, 1, "default", 0, new long[]{1, 2}, 4);
        var r1 = new TraceRequest(1, 1, 6, 1, "default", 0, new long[0], 4);
        var result = CacheReplay.run(List.of(r0, r1).iterator(), hashBlock(), lru(), 100, 4);
        // then: 2 + 2 blocks looked up (r1's partial block was left out, 2 + 1)
        assertEquals(4, result.blocks());
        assertEquals(0, result.hitBlocks());
    }

    @Test
    void belowTheTracesBlockSizeOnlyWholeBlocksAreShared() {
        // given: blocks of 16 tokens over the trace's 512; r0 = 100 tokens and r1 = 500 tokens, both of trace block 7
        var r0 = new TraceRequest(0, 0, 100, 1, "default", 0, new long[]{7}, 512);
        var r1 = new TraceRequest(1, 1, 500, 1, "default", 0, new long[]{7}, 512);
        var result = CacheReplay.run(List.of(r0, r1).iterator(), hashBlock(), lru(), 100, 16);
        // then: r1 finds r0's 6 whole blocks, as the engine does (96 cached tokens); 7 + 32 lookups, each partial last
        // block one (padded to the trace block, r0 had been 32 blocks and r1 hit all of them)
        assertEquals(39, result.blocks());
        assertEquals(6, result.hitBlocks());
    }

    @Test
    void lruEvictsTheLeastRecentlyUsedBlock() {
        // given: room for 3 blocks; r0 = [1 2], r1 = [3], then r2 = [4] evicts block 1 (oldest), r3 = [1 2] misses
        var trace = List.of(blocks(0, 1, 2), blocks(1, 3), blocks(2, 4), blocks(3, 1, 2));
        var result = CacheReplay.run(trace.iterator(), hashBlock(), lru(), 3, 4);
        assertEquals(0, result.hitBlocks());
        // while with room for 4, r3 hits both
        assertEquals(2, CacheReplay.run(trace.iterator(), hashBlock(), lru(), 4, 4).hitBlocks());
    }

    @Test
    void aHostTierKeepsEvictedBlocksWithinItsCapacity() {
        // given: room for 2 device blocks; r1 = [3 4] evicts r0 = [1 2]; r2 = [1 2] again
        var trace = List.of(blocks(0, 1, 2), blocks(1, 3, 4), blocks(2, 1, 2));
        // then: without a host tier r2 misses; with 2 host blocks both of its blocks come back from the host
        assertEquals(0, CacheReplay.run(trace.iterator(), hashBlock(), lru(), 2, 4).hitBlocks());
        var two = CacheReplay.run(trace.iterator(), hashBlock(), lru(), 2, 2, 4);
        assertEquals(2, two.hitBlocks());
        assertEquals(2, two.hostHitBlocks());
        // and with 1 host block only block 1 is kept (block 2's offload finds the slot taken in the same step)
        var one = CacheReplay.run(trace.iterator(), hashBlock(), lru(), 2, 1, 4);
        assertEquals(1, one.hitBlocks());
        assertEquals(1, one.hostHitBlocks());
    }

    @Test
    void afterAHostHitTheMatchGoesOnThroughBlocksTheDeviceStillHolds() {
        // given: 3 device blocks; r1 = [5 6] evicts r0's oldest blocks 1 and 2 (offloaded), block 3 stays
        var trace = List.of(blocks(0, 1, 2, 3), blocks(1, 5, 6), blocks(2, 1, 2, 3));
        var r = CacheReplay.run(trace.iterator(), hashBlock(), lru(), 3, 4, 4);
        // then: r2 hits all 3: blocks 1 and 2 from the host, block 3 on the device past the evicted head
        assertEquals(3, r.hitBlocks());
        assertEquals(2, r.hostHitBlocks());
    }

    @ParameterizedTest
    @CsvSource({"0, 0.3664", "1000, 0.0445", "10000, 0.2112", "100000, 0.3637"})
    void reproducesTheMooncakeReferenceHitRatios(int capacity, double expected) throws Exception {
        var file = Path.of(System.getProperty("servelab.sharedDir", "../../shared"))
                .resolve("traces/mooncake_fast25/conversation_trace.jsonl");
        assumeTrue(Files.exists(file), "shared traces not present");
        var trace = Traces.readAll(file, ReadOptions.DEFAULT);
        int blocks = capacity > 0 ? capacity : trace.stream().mapToInt(r -> r.prefixBlockIds().length).sum();
        var hashBlock = CacheReplay.run(trace.iterator(), hashBlock(), lru(), blocks, 512);
        assertEquals(expected, hashBlock.hitRatio(), 0.00005, "hash-block, capacity " + capacity);
        var radix = CacheReplay.run(trace.iterator(),
                new servelab.plugins.caching.prefix.RadixTreePrefixCache().create(Params.defaults(List.of())), lru(), blocks, 512);
        assertEquals(hashBlock.hitBlocks(), radix.hitBlocks(), "radix finds exactly what hash-block finds");
    }
}

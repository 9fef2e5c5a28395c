package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.datasets.TraceRequest;
import servelab.plugins.caching.prefix.HashBlockPrefixCache;

class PrefixCachingTest {

    /** A request whose prompt starts with the shared 16-token blocks {@code shared}, then unique tokens. */
    private static TraceRequest withPrefix(long id, long arrivalMs, int prompt, int output, long... shared) {
        return new TraceRequest(id, arrivalMs * 1_000_000L, prompt, output, "default", 0, shared, 16);
    }

    @Test
    void aSecondRequestWithTheSamePrefixSkipsItsCachedBlocks() {
        // given: block size 4; r0 and r1 share a 16-token prefix (one trace block = 4 engine blocks); r1 arrives later
        var engine = new TinyEngine(32, 4, Map.of(), 0, new HashBlockPrefixCache());
        var rows = engine.run(withPrefix(0, 0, 20, 2, 7, 100), withPrefix(1, 50, 20, 2, 7, 200));
        // then: r0 computes its 20-token prompt; r1 reuses the 16 shared tokens and computes only 4
        var byId = rows.requests.stream().collect(java.util.stream.Collectors.toMap(r -> r.requestId(), r -> r));
        assertEquals(0, byId.get(0L).cachedPrefixTokens());
        assertEquals(16, byId.get(1L).cachedPrefixTokens());
        assertEquals(List.of(20, 1, 4, 1), rows.tokensPerStep());
        // and the step that admitted r1 looked up its 20 tokens and hit 16
        var admitting = rows.iterations.get(2);
        assertEquals(20, admitting.prefixQueryTokens());
        assertEquals(16, admitting.prefixHitTokens());
        engine.replica.checkInvariants();
    }

    @Test
    void withoutAPrefixCacheNothingIsReused() {
        var rows = new TinyEngine(32, 4, Map.of()).run(withPrefix(0, 0, 20, 2, 7, 100), withPrefix(1, 50, 20, 2, 7, 200));
        assertEquals(List.of(20, 1, 20, 1), rows.tokensPerStep());
        assertTrue(rows.requests.stream().allMatch(r -> r.cachedPrefixTokens() == 0));
    }

    @Test
    void concurrentRequestsShareReferencedBlocks() {
        // given: r1 arrives while r0 is still decoding, so r0's prefix blocks are referenced, not just cached
        var engine = new TinyEngine(32, 4, Map.of(), 0, new HashBlockPrefixCache());
        var shared = new ArrayList<Integer>();
        engine.simulation.onStep((replica, end) -> {
            engine.replica.checkInvariants();
            shared.add(engine.replica.cachedBlocks());
        });
        var rows = engine.run(withPrefix(0, 0, 16, 30, 7), withPrefix(1, 2, 16, 2, 7));
        var r1 = rows.requests.stream().filter(r -> r.requestId() == 1).findFirst().orElseThrow();
        // the whole 16-token prompt is shared except its last block: one token must be computed to sample
        assertEquals(12, r1.cachedPrefixTokens());
        engine.replica.checkInvariants();
    }

    @Test
    void cachedBlocksAreEvictedWhenMemoryIsNeededAndTheRunCompletes() {
        // given: 10 blocks of 4 tokens; two hot prefixes and, every third request, a new one: the cached content
        // (3 blocks per prefix) outgrows memory, so cached blocks must be evicted to admit new requests
        var engine = new TinyEngine(10, 4, Map.of(), 0, new HashBlockPrefixCache());
        var requests = new ArrayList<TraceRequest>();
        for (int i = 0; i < 30; i++) requests.add(withPrefix(i, i * 10L, 12, 3, i % 3 == 2 ? 5000 + i : 1000 + i % 3));
        engine.simulation.onStep((replica, end) -> engine.replica.checkInvariants());
        var rows = engine.run(requests.toArray(TraceRequest[]::new));
        assertEquals(30, rows.requests.size());
        assertTrue(rows.requests.stream().allMatch(r -> r.error().isEmpty()));
        assertTrue(rows.requests.stream().anyMatch(r -> r.cachedPrefixTokens() > 0), "some prefix should hit");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void kvBookkeepingHoldsAfterEveryStepOfARandomWorkload(long seed) {
        // random arrivals, prompt lengths, shared prefixes, outputs and memory pressure (preemption by recompute)
        var random = new SplittableRandom(seed);
        var engine = new TinyEngine(24, 4, Map.of("max_num_batched_tokens", 32), 0, new HashBlockPrefixCache());
        var requests = new ArrayList<TraceRequest>();
        long t = 0;
        for (int i = 0; i < 60; i++) {
            t += random.nextInt(0, 3);
            int prompt = random.nextInt(1, 40);
            long[] prefix = {random.nextInt(0, 4), random.nextInt(0, 3)};
            requests.add(withPrefix(i, t, prompt, random.nextInt(1, 12), prefix));
        }
        var steps = new int[1];
        engine.simulation.onStep((replica, end) -> {
            steps[0]++;
            try {
                engine.replica.checkInvariants();
            } catch (IllegalStateException e) {
                throw new AssertionError("seed " + seed + ", step " + steps[0] + ": " + e.getMessage(), e);
            }
        });
        var rows = engine.run(requests.toArray(TraceRequest[]::new));
        assertEquals(60, rows.requests.size(), "seed " + seed);
        assertEquals(60, rows.requests.stream().map(r -> r.requestId()).distinct().count());
        // freeing everything restores a full pool (cached blocks count as available)
        assertEquals(24, engine.replica.freeBlocks(), "seed " + seed);
    }

    @Test
    void swappingThePrefixCacheMidRunStartsItColdAndKeepsTheBookkeeping() {
        // given: hash-block for the first requests, then a fresh hash-block instance (a new build of the plugin)
        var engine = new TinyEngine(12, 4, Map.of(), 0, new HashBlockPrefixCache());
        var requests = new ArrayList<TraceRequest>();
        for (int i = 0; i < 30; i++) requests.add(withPrefix(i, i * 5L, 12, 3, 1000 + i % 2));
        engine.simulation.onStep((replica, end) -> {
            engine.replica.checkInvariants();
            if (replica.iterations() == 20) {
                engine.prefix.install(TinyEngine.installed(new HashBlockPrefixCache(), Map.of()));
            }
            if (replica.iterations() == 40) {
                engine.eviction.install(TinyEngine.installed(new servelab.plugins.caching.eviction.LruEviction(), Map.of()));
            }
        });
        var rows = engine.run(requests.toArray(TraceRequest[]::new));
        // then: every request completes, both swaps are recorded, and the cache hits again after the cold start
        assertEquals(30, rows.requests.size());
        assertEquals(2, rows.events.stream().filter(e -> e.type().equals("swap")).count());
        assertTrue(rows.requests.stream().filter(r -> r.requestId() > 20).anyMatch(r -> r.cachedPrefixTokens() > 0));
        engine.replica.checkInvariants();
    }
}

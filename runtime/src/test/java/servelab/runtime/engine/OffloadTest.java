package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import servelab.api.batch.Batcher;
import servelab.datasets.TraceRequest;
import servelab.plugins.caching.prefix.HashBlockPrefixCache;
import servelab.runtime.record.IterationRow;

/** The host-memory tier in the engine: offload of evicted prefix-cache blocks, reload on a hit, swap preemption. */
class OffloadTest {

    /** A request whose prompt starts with the shared 16-token trace blocks {@code shared}, then unique tokens. */
    private static TraceRequest withPrefix(long id, long arrivalMs, int prompt, int output, long... shared) {
        return new TraceRequest(id, arrivalMs * 1_000_000L, prompt, output, "default", 0, shared, 16);
    }

    /**
     * On 8 device blocks of 4 tokens: r0 fills blocks 0-3 with trace block 7; r1 (other content, 7 blocks) takes the
     * 4 free blocks and evicts r0's blocks 0-2, least recently used first; r2 starts with trace block 7 again.
     */
    private static TraceRequest[] evictThenReuse() {
        return new TraceRequest[] {withPrefix(0, 0, 16, 1, 7), withPrefix(1, 50, 28, 1, 8, 9),
                withPrefix(2, 100, 20, 1, 7, 300)};
    }

    @Test
    void anEvictedBlockComesBackFromTheHostTierAsAHit() {
        // given: 8 device blocks of 4 tokens, a host tier of 16 blocks with offload, hash-block and lru
        var engine = TinyEngine.offloading(8, 4, Map.of(), 16);
        engine.simulation.onStep((replica, end) -> engine.replica.checkInvariants());
        var rows = engine.run(evictThenReuse());
        // then: r1's evictions of r0's blocks 0-2 copy them to host slots 0-2
        assertEquals(List.of("out 0>0", "out 1>1", "out 2>2"), engine.shadow.copies.get(1));
        // and r2 finds its first 3 blocks in the host tier and its 4th still on the device (block 3, which the
        // prefix cache cannot reach past the evicted head): 16 tokens hit, only its last 4 are computed
        assertEquals(List.of(16, 28, 4), rows.tokensPerStep());
        assertEquals(16, rows.requests.stream().filter(r -> r.requestId() == 2).findFirst().orElseThrow().cachedPrefixTokens());
        // r2's 4 new blocks are r1's least recently used (4-7), each offloaded first; then the 3 host hits are copied
        // into r2's blocks 0-2 (device 4, 5, 6), before block 3 in its table (KvShadow checked they hold r0's keys)
        assertEquals(List.of("out 4>3", "out 5>4", "out 6>5", "out 7>6", "in 0>4", "in 1>5", "in 2>6"),
                engine.shadow.copies.get(2));
        var admitting = rows.iterations.get(2);
        assertEquals(16, admitting.prefixHitTokens());
        assertEquals(new IterationRow.HostKv(16, 7, 7, 4, 3, 4, 3), admitting.host());
    }

    @Test
    void theMemoryLedgerCountsAHostHitExactly() {
        // given: the same run, with a batcher that asks about r2 before planning
        var engine = TinyEngine.offloading(8, 4, Map.of(), 16);
        var inner = engine.batcher.current();
        var seen = new ArrayList<String>();
        Batcher probing = (order, ctx, plan) -> {
            for (var seq : order.waiting()) {
                if (seq.id() == 2) seen.add(ctx.cachedPrefixTokens(seq) + " hit, " + ctx.blocksNeeded(seq, 4) + " of " + ctx.freeBlocks());
            }
            inner.policy().plan(order, ctx, plan);
        };
        engine.batcher.install(new PolicySlot.Installed<>(probing, inner.descriptor(), inner.params(), "test"));
        engine.run(evictThenReuse());
        // then: r2 hits 16 tokens, and computing its last 4 takes 5 of the 8 available blocks: 3 new ones for the host
        // hits, 1 for the 4 computed tokens, and device block 3, which leaves the cached pool when r2 holds it
        assertEquals(List.of("16 hit, 5 of 8"), seen);
    }

    @Test
    void withoutOffloadTheEvictedBlocksAreRecomputed() {
        // given: the same trace and host tier, offload off (swap preemption only)
        var engine = new TinyEngine(8, 4, Map.of(), 16, new HashBlockPrefixCache());
        var rows = engine.run(evictThenReuse());
        // then: r2 recomputes its whole prompt and nothing moves to or from the host
        assertEquals(List.of(16, 28, 20), rows.tokensPerStep());
        assertTrue(rows.requests.stream().allMatch(r -> r.cachedPrefixTokens() == 0));
        assertTrue(engine.shadow.copies.stream().allMatch(List::isEmpty));
        assertTrue(rows.iterations.stream().allMatch(it -> it.host().equals(new IterationRow.HostKv(16, 0, 0, 0, 0, 0, 0))));
    }

    @Test
    void replacingThePrefixCacheDropsTheOffloadedBlocks() {
        // given: offload on, and a new hash-block instance installed after r1's step
        var engine = TinyEngine.offloading(8, 4, Map.of(), 16);
        engine.simulation.onStep((replica, end) -> {
            if (replica.iterations() == 2) engine.prefix.install(TinyEngine.installed(new HashBlockPrefixCache(), Map.of()));
        });
        var rows = engine.run(evictThenReuse());
        // then: the new index starts cold in both tiers, so r2 recomputes its prompt
        assertEquals(List.of(16, 28, 20), rows.tokensPerStep());
        assertEquals(0, rows.iterations.get(2).host().reloadedBlocks());
    }

    @Test
    void aSwappedOutSequenceComesBackIntoFreshBlocksInTokenOrder() {
        // given: 4 device blocks of 4 tokens, 8 host blocks, swap preemption; both requests need 3 blocks
        var engine = new TinyEngine(4, 4, Map.of("preempt_mode", "swap"), 8);
        var rows = engine.run(TinyEngine.request(0, 0, 8, 4), TinyEngine.request(1, 0, 8, 4));
        // then: r1's 2 blocks (8 tokens) go to slots 0 and 1, and come back from them in the same order
        var copies = engine.shadow.copies.stream().filter(step -> !step.isEmpty()).toList();
        assertEquals(List.of(List.of("out 2>0", "out 3>1"), List.of("in 0>0", "in 1>1")), copies);
        // and the swapped KV was valid: no recompute (KvShadow checked the blocks' content at the swap-in)
        assertEquals(16, rows.iterations.stream().mapToInt(i -> i.prefillTokens()).sum());
        assertEquals(2, rows.iterations.stream().mapToInt(i -> i.host().swapOutBlocks()).sum());
        assertEquals(0, rows.iterations.stream().mapToInt(i -> i.host().offloadedBlocks() + i.host().reloadedBlocks()).sum());
    }

    @ParameterizedTest(name = "seed {0}, {1}, {2} host blocks")
    @CsvSource({"1, recompute, 6", "2, swap, 6", "3, recompute, 24", "4, swap, 24", "5, swap, 12", "6, recompute, 12",
            "7, swap, 40", "8, recompute, 40"})
    void kvAndHostBookkeepingHoldAfterEveryStepOfARandomWorkload(long seed, String mode, int hostBlocks) {
        // random arrivals, prompts, shared prefixes and outputs on 24 device blocks: evictions, offloads, reloads,
        // preemptions and (with swap) swapped sequences compete for a small host tier
        var random = new SplittableRandom(seed);
        var engine = TinyEngine.offloading(24, 4, Map.of("max_num_batched_tokens", 32, "preempt_mode", mode), hostBlocks);
        var requests = new ArrayList<TraceRequest>();
        long t = 0;
        for (int i = 0; i < 60; i++) {
            t += random.nextInt(0, 3);
            long[] prefix = {random.nextInt(0, 6), random.nextInt(0, 3)};
            requests.add(withPrefix(i, t, random.nextInt(1, 40), random.nextInt(1, 12), prefix));
        }
        var steps = new int[1];
        engine.simulation.onStep((replica, end) -> {
            steps[0]++;
            try {
                engine.replica.checkInvariants(); // device pool, and host: free + swapped + cached = capacity, keys unique
            } catch (IllegalStateException e) {
                throw new AssertionError("seed " + seed + ", step " + steps[0] + ": " + e.getMessage(), e);
            }
        });
        var rows = engine.run(requests.toArray(TraceRequest[]::new));
        // then: every request completes (KvShadow checked every block's content at every step)
        assertEquals(60, rows.requests.size(), "seed " + seed);
        assertTrue(rows.requests.stream().allMatch(r -> r.error().isEmpty()));
        assertEquals(24, engine.replica.freeBlocks(), "freeing everything restores the device pool");
        var last = rows.iterations.getLast().host();
        assertEquals(last.blocksCached(), last.blocksUsed(), "no swapped blocks are left in the host tier");
        // and the host tier served hits (prefix hits count them), so the workload exercised it
        long reloaded = rows.iterations.stream().mapToLong(i -> i.host().reloadedBlocks()).sum();
        assertTrue(reloaded > 0, "seed " + seed + ": no block came back from the host tier");
        for (var it : rows.iterations) assertTrue(it.prefixHitTokens() >= 4L * it.host().reloadedBlocks());
    }
}

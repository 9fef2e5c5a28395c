package servelab.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.runtime.engine.TinyEngine.request;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.PluginDescriptor;
import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;

/** A policy that breaks the rules is caught before it changes engine state, and named. */
class FaultIsolationTest {
    private static final PluginDescriptor BROKEN_BATCHER =
            new PluginDescriptor(PluginKind.BATCHER, "broken", "0.0.1", "plans a prefill larger than the prompt", List.of());
    private static final PluginDescriptor BROKEN_SCHEDULER =
            new PluginDescriptor(PluginKind.SCHEDULER, "dropper", "0.0.1", "forgets waiting requests", List.of());

    private static final Batcher OVERSIZED = (order, ctx, plan) -> {
        for (var seq : order.waiting()) plan.prefill(seq, seq.uncomputedTokens() + 5);
    };

    @Test
    void anInvalidPlanWithNoFallbackStopsTheRunNamingTheBatcher() {
        // given: the broken batcher is the slot's only policy, so there is nothing to fall back to
        var alone = new TinyEngine(16, 4, Map.of());
        var slot = new PolicySlot<>(new PolicySlot.Installed<>(OVERSIZED, BROKEN_BATCHER, Map.of(), "broken.jar"));
        var replica = new Replica(0, new ReplicaConfig(4, 16, 0), new ReplicaSlots(alone.scheduler, slot, alone.kv, alone.prefix, alone.eviction, alone.speculator),
                new servelab.runtime.exec.SimulatedExecutor(TinyEngine.TOY_COST, 4), alone.rows);
        replica.submit(request(0, 0, 8, 2));
        var e = assertThrows(EngineException.class, () -> replica.step(0));
        assertTrue(e.getMessage().startsWith("batcher 'broken' (broken@0.0.1, from broken.jar) failed at iteration 0"),
                e.getMessage());
        assertTrue(e.getMessage().contains("prefill of 13 tokens for seq 0"), e.getMessage());
        // nothing changed: the request is still waiting with no blocks
        assertEquals(16, replica.freeBlocks());
        assertEquals(1, replica.queuedRequests());
        assertEquals(1, alone.rows.events.size());
        assertEquals("fault", alone.rows.events.getFirst().type());
    }

    @Test
    void anInvalidPlanAfterASwapFallsBackToThePreviousBatcher() {
        var engine = new TinyEngine(16, 4, Map.of());
        engine.batcher.install(new PolicySlot.Installed<>(OVERSIZED, BROKEN_BATCHER, Map.of(), "broken.jar"));
        var rows = engine.run(request(0, 0, 8, 2), request(1, 0, 4, 3));
        // every request still completes, on the default batcher
        assertEquals(2, rows.requests.size());
        assertTrue(rows.requests.stream().allMatch(r -> r.error().isEmpty()));
        var types = rows.events.stream().map(e -> e.type() + " " + e.kind() + " " + e.from() + " " + e.to()).toList();
        assertEquals(List.of("swap batcher continuous@1.0.0 broken@0.0.1", "fault batcher broken@0.0.1 reverted",
                "swap batcher broken@0.0.1 continuous@1.0.0"), types);
        assertTrue(rows.iterations.stream().allMatch(i -> i.batcher().equals("continuous@1.0.0")));
    }

    @Test
    void aSchedulerThatDropsARequestIsCaughtAndRevertedToo() {
        var engine = new TinyEngine(16, 4, Map.of());
        Scheduler dropper = ctx -> new Ordering(ctx.running(), ctx.waiting().subList(0, Math.max(0, ctx.waiting().size() - 1)));
        engine.scheduler.install(new PolicySlot.Installed<>(dropper, BROKEN_SCHEDULER, Map.of(), "dropper.jar"));
        var rows = engine.run(request(0, 0, 8, 2), request(1, 0, 4, 3));
        assertEquals(2, rows.requests.size());
        var fault = rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertEquals("scheduler", fault.kind());
        assertTrue(fault.detail().contains("scheduler returned 1 waiting sequences, the queue has 2"), fault.detail());
    }

    @Test
    void aPlanNeedingMoreMemoryThanIsFreeIsRejected() {
        // given: 4 blocks of 4 tokens and a batcher that admits two 8-token prompts and a third one
        Batcher greedy = (order, ctx, plan) -> {
            for (var seq : order.waiting()) plan.prefill(seq, seq.uncomputedTokens());
        };
        var engine = new TinyEngine(4, 4, Map.of());
        engine.batcher.install(new PolicySlot.Installed<>(greedy,
                new PluginDescriptor(PluginKind.BATCHER, "greedy", "0.0.1", "ignores memory", List.of()), Map.of(), "g.jar"));
        var rows = engine.run(request(0, 0, 8, 1), request(1, 0, 8, 1), request(2, 0, 8, 1));
        var fault = rows.events.stream().filter(e -> e.type().equals("fault")).findFirst().orElseThrow();
        assertEquals("plan needs 6 new KV blocks but only 4 are free and its preemptions free 0", fault.detail()
                .replace("InvalidPlanException: ", ""));
        assertEquals(3, rows.requests.size());
    }
}

package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.batch.PreemptMode;
import servelab.api.sched.Ordering;

/** The tiny engine replays as the real one does, and catches each rule a policy can break. */
class TinyEngineTest {
    private static final TinyEngine.Request R0 = TinyEngine.Request.of(0, 0, 20, 3);
    private static final TinyEngine.Request R1 = TinyEngine.Request.of(1, 0, 6, 2);

    @Test
    void splitsALongPromptAcrossStepsWithinTheTokenBudget() {
        // given: 8 tokens per step, one request with a 20-token prompt and 2 outputs
        var run = new TinyEngine().batcher(ReferencePolicies.batcher(Map.of("max_num_batched_tokens", 8)))
                .run(TinyEngine.Request.of(0, 0, 20, 2));
        // then: prefill 8 + 8 + 4 (sampling the first token), then one decode
        assertEquals(List.of(8, 8, 4, 1), run.tokensPerStep());
        assertEquals(2, run.request(0).outputTokens());
    }

    @Test
    void aSwappedSequenceKeepsItsComputedTokensARecomputedOneStartsOver() {
        for (var mode : PreemptMode.values()) {
            // given: 6 blocks of 4; r0 (14 + 4) and r1 (6 + 4) fill them at admission, and r0's 17th token needs more
            var run = new TinyEngine().blocks(6, 4)
                    .batcher(ReferencePolicies.batcher(Map.of("preempt_mode", mode.name().toLowerCase())))
                    .run(TinyEngine.Request.of(0, 0, 14, 4), TinyEngine.Request.of(1, 0, 6, 4));
            // then: both complete, after one preemption of r1 (last in the running order)
            assertEquals(List.of(4, 4), List.of(run.request(0).outputTokens(), run.request(1).outputTokens()));
            assertEquals(List.of(0, 1), List.of(run.request(0).preemptions(), run.request(1).preemptions()), mode.toString());
            int computed = run.tokensPerStep().stream().mapToInt(Integer::intValue).sum();
            // swapped, r1 keeps its 8 computed tokens (14 + 3 and 6 + 3 in all); recomputed, it computes them again
            assertEquals(mode == PreemptMode.SWAP ? 26 : 34, computed, mode.toString());
        }
    }

    @Test
    void rejectsAPlanThatNamesASequenceTwice() {
        var engine = new TinyEngine().batcher((order, ctx, plan) -> {
            for (var seq : order.waiting()) plan.prefill(seq, 1);
            plan.prefill(order.waiting().getFirst(), 1);
        });
        var e = assertThrows(AssertionError.class, () -> engine.run(R0, R1));
        assertTrue(e.getMessage().contains("named twice"), e.getMessage());
    }

    @Test
    void rejectsAPlanThatNeedsMoreBlocksThanAreFree() {
        // given: 4 blocks of 4, and a batcher that admits both prompts whole (5 + 2 blocks)
        var engine = new TinyEngine().blocks(4, 4).batcher((order, ctx, plan) -> {
            for (var seq : order.waiting()) plan.prefill(seq, seq.uncomputedTokens());
        });
        var e = assertThrows(AssertionError.class, () -> engine.run(R0, R1));
        assertTrue(e.getMessage().contains("needs 7 blocks, only 4 are free"), e.getMessage());
    }

    @Test
    void rejectsABatcherThatUsesAPlanAfterItsCall() {
        // given: a batcher that keeps the first step's plan and reads it in the next call
        var kept = new servelab.api.batch.BatchPlan[1];
        var engine = new TinyEngine().batcher((order, ctx, plan) -> {
            if (kept[0] != null) kept[0].tokens();
            kept[0] = plan;
            for (var seq : order.waiting()) plan.prefill(seq, seq.uncomputedTokens());
            for (var seq : order.running()) plan.decode(seq);
        });
        var e = assertThrows(AssertionError.class, () -> engine.run(R0));
        assertTrue(e.getMessage().contains("called tokens() on a plan after its plan() call returned"), e.getMessage());
    }

    @Test
    void rejectsAnEmptyPlanWhileRequestsWait() {
        var e = assertThrows(AssertionError.class, () -> new TinyEngine().batcher((order, ctx, plan) -> { }).run(R0));
        assertTrue(e.getMessage().contains("empty plan while 0 run, 1 wait"), e.getMessage());
    }

    @Test
    void rejectsAnOrderingThatLosesASequence() {
        var engine = new TinyEngine().scheduler(ctx -> new Ordering(ctx.running(), ctx.waiting().subList(1, ctx.waiting().size())));
        var e = assertThrows(AssertionError.class, () -> engine.run(R0, R1));
        assertTrue(e.getMessage().contains("waiting ordering has 1 sequences, the queue 2"), e.getMessage());
    }

    @Test
    void rejectsADecodeOfASequenceStillInItsPrompt() {
        var engine = new TinyEngine().batcher((order, ctx, plan) -> {
            for (var seq : order.running()) plan.decode(seq);
            for (var seq : order.waiting()) plan.prefill(seq, 4);
        });
        var e = assertThrows(AssertionError.class, () -> engine.run(R0));
        assertTrue(e.getMessage().contains("decode of seq 0, which has 16 uncomputed tokens"), e.getMessage());
    }
}

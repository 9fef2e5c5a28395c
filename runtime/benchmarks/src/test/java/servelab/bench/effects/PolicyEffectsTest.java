package servelab.bench.effects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import servelab.runtime.record.RequestRow;

/**
 * The policy library's published effects (issue 4, acceptance 1-4), each on the shared Azure 2023 conversation
 * slice (skipped when {@code servelab.sharedDir} has no traces) and on seeded synthetic requests (always). These are
 * the runs {@code runtime/benchmarks/run effects} writes into {@code schedulers/POLICY-EFFECTS.md}. Simulated, so
 * they assert outcomes, never speed.
 */
class PolicyEffectsTest {
    private static final EffectWorkloads SYNTHETIC = EffectWorkloads.synthetic(42);

    private static EffectWorkloads azure() {
        var file = Workloads.shared(Workloads.AZURE_CONV);
        assumeTrue(file.isPresent(), "shared Azure trace not found under servelab.sharedDir");
        return EffectWorkloads.azure(file.get());
    }

    private static void assertReproduced(Effect e) {
        assertTrue(e.holds(), "effect " + e.number() + " (" + e.title() + ") not reproduced: " + e.check() + "; measured "
                + e.measured().stream().map(Effect.Measure::format).collect(Collectors.joining(", ")));
    }

    @Test
    void continuousBatchingServesAtLeastTwiceTheRequestsOfStaticBatchingOnTheAzureSlice() {
        var w = azure().saturating();
        assertReproduced(PolicyEffects.continuousVsStatic(w.requests(), w.description()));
    }

    @Test
    void continuousBatchingServesAtLeastTwiceTheRequestsOfStaticBatchingOnSyntheticRequests() {
        var w = SYNTHETIC.saturating();
        assertReproduced(PolicyEffects.continuousVsStatic(w.requests(), w.description()));
    }

    @Test
    void chunkedPrefillCutsTailInterTokenLatencyOnTheAzureSlice() {
        var w = azure().nearCapacity();
        assertReproduced(PolicyEffects.chunkedPrefill(w.requests(), w.description()));
    }

    @Test
    void chunkedPrefillCutsTailInterTokenLatencyOnSyntheticRequests() {
        var w = SYNTHETIC.nearCapacity();
        assertReproduced(PolicyEffects.chunkedPrefill(w.requests(), w.description()));
    }

    @Test
    void shortestJobFirstBeatsFcfsAndPredictorsLieBetweenOnTheAzureSlice() {
        var w = azure().overloadedBatch();
        assertReproduced(PolicyEffects.shortestJobFirst(w.requests(), w.description()));
    }

    @Test
    void shortestJobFirstBeatsFcfsAndPredictorsLieBetweenOnSyntheticRequests() {
        var w = SYNTHETIC.overloadedBatch();
        assertReproduced(PolicyEffects.shortestJobFirst(w.requests(), w.description()));
    }

    @Test
    void vtcKeepsBackloggedTenantsWithinThePapersBoundOnTheAzureSlice() {
        var w = azure().twoTenants();
        assertReproduced(PolicyEffects.fairShare(w.requests(), w.description()));
    }

    @Test
    void longestPrefixMatchRaisesThePrefixHitRateOverFcfsOnTheMooncakeTrace() {
        var file = Workloads.shared("mooncake_fast25/conversation_trace.jsonl");
        org.junit.jupiter.api.Assumptions.assumeTrue(file.isPresent(), "shared Mooncake trace not present");
        var w = EffectWorkloads.mooncakeOrSynthetic(42);
        assertReproduced(PolicyEffects.longestPrefixMatch(w.requests(), w.description()));
    }

    @Test
    void theSecondSliceOfTheMooncakeTraceIsAnotherWorkloadOnWhichLpmTiesFcfs() {
        // the report runs effect 5 again from 600 s of the trace's clock: other requests, and a tie there (the
        // "yes" of the first slice is not every slice's)
        var file = Workloads.shared("mooncake_fast25/conversation_trace.jsonl");
        org.junit.jupiter.api.Assumptions.assumeTrue(file.isPresent(), "shared Mooncake trace not present");
        var first = Workloads.sliceOf(file.get(), 0, 1500, 6);
        var second = Workloads.sliceOf(file.get(), 600, 1500, 6);
        org.junit.jupiter.api.Assertions.assertNotEquals(first.get(0).inputTokens() + " " + first.get(1).inputTokens(),
                second.get(0).inputTokens() + " " + second.get(1).inputTokens());
        var rates = PolicyEffects.lpmAndFcfs(second);
        org.junit.jupiter.api.Assertions.assertEquals(rates[1], rates[0], "lpm " + rates[0] + ", fcfs " + rates[1]);
    }

    @Test
    void longestPrefixMatchRaisesThePrefixHitRateOverFcfsOnSharedSystemPrompts() {
        var w = SYNTHETIC.sharedPrefixes();
        assertReproduced(PolicyEffects.longestPrefixMatch(w.requests(), w.description()));
    }

    @Test
    void vtcKeepsBackloggedTenantsWithinThePapersBoundOnSyntheticRequests() {
        var w = SYNTHETIC.twoTenants();
        assertReproduced(PolicyEffects.fairShare(w.requests(), w.description()));
    }

    @Test
    void theServiceGapIsMeasuredOnlyWhileBothTenantsWait() {
        // given: light waits from 0 to 10 ms, heavy from 0 to 20 ms; heavy is served 100 at 5 ms, light 30 at 15 ms
        var heavy = new RequestRow(0, 0, "heavy", 0, 0, 5_000_000, 5_000_000, 5_000_000, 100, 1,
                0, 0, new long[] {5_000_000}, 0, 0, 0, "");
        var heavyLate = new RequestRow(1, 0, "heavy", 0, 0, 20_000_000, 20_000_000, 20_000_000,
                1, 1, 0, 0, new long[] {20_000_000}, 0, 0, 0, "");
        var light = new RequestRow(2, 0, "light", 0, 0, 10_000_000, 10_000_000, 10_000_000, 7, 1,
                0, 0, new long[] {10_000_000}, 0, 0, 0, "");
        // when: weights 1 per prompt token, 2 per output token
        double gap = ServiceGap.of(List.of(heavy, heavyLate, light), "heavy", "light", 1, 2);
        // then: both wait in [0, 10 ms); heavy gets 100 + 2 at 5 ms, so the gap is 102; light's service at 10 ms
        // ends the period (its queue is empty from then on) and is not counted against it
        assertEquals(102, gap, 1e-9);
    }
}

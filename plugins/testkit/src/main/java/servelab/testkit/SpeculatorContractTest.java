package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.PluginKind;
import servelab.api.sched.SeqView;
import servelab.api.spec.Draft;
import servelab.api.spec.Speculator;
import servelab.api.spec.SpecContext;

/**
 * What every speculator promises, checked on seeded random decoding sequences whose contexts repeat (so lookups
 * find something) as they grow step by step: drafts only for sequences it was given, at most one each, never
 * longer than {@link SpecContext#maxDraftTokens}, reading only tokens that exist ({@link FakeSpecContext} throws
 * otherwise), nothing for no sequences, and the same drafts from two fresh instances.
 */
public abstract class SpeculatorContractTest extends PluginContract<Speculator> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.SPECULATOR;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6})
    void draftsOnlyForItsSequencesWithinTheirCaps(long seed) {
        for (var params : parameterSets()) {
            var speculator = create(params);
            var random = new SplittableRandom(seed);
            var ctx = new FakeSpecContext();
            int count = 1 + random.nextInt(6);
            for (int id = 0; id < count; id++) ctx.context(id, randomTokens(random, 2 + random.nextInt(40)));
            for (int step = 0; step < 30; step++) {
                var decoding = new ArrayList<FakeSpecContext.Seq>();
                for (int id = 0; id < count; id++) {
                    if (random.nextInt(4) > 0) decoding.add(ctx.seq(id));
                    ctx.maxDraft(id, random.nextInt(8));
                }
                var drafts = speculator.propose(List.copyOf(decoding), ctx);
                checkDrafts(decoding, drafts, ctx, params + ", step " + step);
                for (var d : drafts) ctx.verified(d.seqId(), d.tokens().length, random.nextInt(d.tokens().length + 1));
                for (int id = 0; id < count; id++) ctx.append(id, randomTokens(random, 1 + random.nextInt(3)));
            }
        }
    }

    @Test
    void proposesNothingForNoSequences() {
        for (var params : parameterSets()) {
            assertEquals(List.of(), create(params).propose(List.of(), new FakeSpecContext()), params.toString());
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12})
    void twoFreshInstancesDraftTheSame(long seed) {
        for (var params : parameterSets()) {
            var first = create(params);
            var second = create(params);
            var random = new SplittableRandom(seed);
            var ctx = new FakeSpecContext();
            for (int step = 0; step < 20; step++) {
                ctx.context(step, randomTokens(random, 2 + random.nextInt(40)));
                List<SeqView> decoding = List.of(ctx.seq(step));
                assertEquals(first.propose(decoding, ctx), second.propose(decoding, ctx), params + ", step " + step);
            }
        }
    }

    private static void checkDrafts(List<FakeSpecContext.Seq> decoding, List<Draft> drafts, SpecContext ctx,
                                    String where) {
        var ids = new HashSet<Long>();
        for (var s : decoding) ids.add(s.id());
        var drafted = new HashSet<Long>();
        for (var d : drafts) {
            assertTrue(ids.contains(d.seqId()), where + ": a draft for seq " + d.seqId() + ", which is not decoding");
            assertTrue(drafted.add(d.seqId()), where + ": two drafts for seq " + d.seqId());
            var seq = decoding.stream().filter(s -> s.id() == d.seqId()).findFirst().orElseThrow();
            assertTrue(d.tokens().length <= ctx.maxDraftTokens(seq), where + ": a draft of " + d.tokens().length
                    + " tokens for seq " + d.seqId() + ", capped at " + ctx.maxDraftTokens(seq));
        }
    }

    /** Tokens from a small alphabet, so n-grams repeat. */
    private static int[] randomTokens(SplittableRandom random, int count) {
        var tokens = new int[count];
        for (int i = 0; i < count; i++) tokens[i] = random.nextInt(5);
        return tokens;
    }
}

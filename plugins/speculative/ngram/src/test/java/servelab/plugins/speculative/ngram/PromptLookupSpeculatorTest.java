package servelab.plugins.speculative.ngram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.api.spec.Draft;
import servelab.api.spec.Speculator;
import servelab.testkit.FakeSpecContext;

class PromptLookupSpeculatorTest {

    @Test
    void proposesWhatFollowedTheMostRecentEarlierOccurrence() {
        // given: the suffix 1 2 3 occurred twice before, followed by 9 ... and later by 8 5 ...
        var ctx = new FakeSpecContext().context(1, 1, 2, 3, 9, 1, 2, 3, 8, 5, 7, 1, 2, 3);
        // then: the later occurrence wins, and the draft is k = 4 tokens long
        assertEquals(List.of(8, 5, 7, 1), draft(ngram(Map.of()), ctx, 1));
    }

    @Test
    void prefersALongerNgramToAMoreRecentShorterOne() {
        // given: 7 1 2 occurred at the start (then 4); only 2 occurred since (then 5)
        var ctx = new FakeSpecContext().context(1, 7, 1, 2, 4, 0, 2, 5, 7, 1, 2);
        // then: with prompt_lookup_max 3 the 3-gram wins; with 1 the most recent 1-gram does
        assertEquals(List.of(4, 0, 2, 5), draft(ngram(Map.of("prompt_lookup_max", 3)), ctx, 1));
        assertEquals(List.of(5, 7, 1, 2), draft(ngram(Map.of("prompt_lookup_max", 1)), ctx, 1));
    }

    @Test
    void proposesNothingWhenOnlyNgramsShorterThanTheMinimumMatch() {
        // given: the last token 6 occurred before, the last two tokens 3 6 did not
        var ctx = new FakeSpecContext().context(1, 5, 6, 9, 3, 6);
        assertEquals(List.of(), ngram(Map.of("prompt_lookup_min", 2)).propose(List.of(ctx.seq(1)), ctx));
        assertEquals(List.of(9, 3, 6), draft(ngram(Map.of("prompt_lookup_min", 1)), ctx, 1));
    }

    @Test
    void stopsAtTheEndOfTheContext() {
        // given: 1 2 last occurred two tokens back, so only 3 tokens follow it, and 4 4 4 overlaps itself
        var ctx = new FakeSpecContext().context(1, 1, 2, 3, 1, 2).context(2, 4, 4, 4);
        var drafts = ngram(Map.of("num_speculative_tokens", 8)).propose(List.of(ctx.seq(1), ctx.seq(2)), ctx);
        // then: drafts in the order of the sequences, each cut at the end of its context
        assertEquals(List.of(new Draft(1, new int[] {3, 1, 2}), new Draft(2, new int[] {4})), drafts);
    }

    @Test
    void cutsDraftsToKAndToTheEnginesCap() {
        // given: a context that repeats 1..6, k = 5; sequence 2 may draft 2 tokens, sequence 3 none
        int[] repeated = IntStream.range(0, 30).map(i -> 1 + i % 6).toArray();
        var ctx = new FakeSpecContext().context(1, repeated).context(2, repeated).context(3, repeated)
                .maxDraft(2, 2).maxDraft(3, 0);
        var drafts = ngram(Map.of("num_speculative_tokens", 5)).propose(List.of(ctx.seq(1), ctx.seq(2), ctx.seq(3)), ctx);
        // then: the true continuation 1 2 3 4 5, then its first two tokens, then no draft at all
        assertEquals(List.of(new Draft(1, new int[] {1, 2, 3, 4, 5}), new Draft(2, new int[] {1, 2})), drafts);
    }

    @Test
    void proposesNothingForAContextOfOneToken() {
        var ctx = new FakeSpecContext().context(1, 7);
        assertEquals(List.of(), ngram(Map.of()).propose(List.of(ctx.seq(1)), ctx));
    }

    @Test
    void followsAContextAsItGrowsAndStartsOverWhenItIsReplaced() {
        var speculator = ngram(Map.of("prompt_lookup_max", 2));
        var ctx = new FakeSpecContext().context(1, 1, 2, 3, 4);
        assertEquals(List.of(), speculator.propose(List.of(ctx.seq(1)), ctx));
        // when: the output continues with 1 2
        ctx.append(1, 1, 2);
        assertEquals(List.of(3, 4, 1, 2), draft(speculator, ctx, 1));
        // when: the sequence's context is not a continuation of the indexed one (same length, other tokens)
        ctx.context(1, 5, 6, 7, 8, 5, 6);
        assertEquals(List.of(7, 8, 5, 6), draft(speculator, ctx, 1));
    }

    @Test
    void forgetsTheIndexOfASequenceThatStopsComingAndRebuildsItOnReturn() {
        var speculator = (PromptLookupSpeculator) ngram(Map.of());
        var ctx = new FakeSpecContext().context(1, 1, 2, 3, 1, 2).context(2, 9, 8, 9);
        speculator.propose(List.of(ctx.seq(1), ctx.seq(2)), ctx);
        assertEquals(2, speculator.indexedSequences());
        // when: sequence 1 is away for two windows (preempted, say) while sequence 2 keeps decoding
        for (int i = 0; i < 2 * PromptLookupSpeculator.FORGET_AFTER_CALLS; i++) speculator.propose(List.of(ctx.seq(2)), ctx);
        assertEquals(1, speculator.indexedSequences());
        // then: back with two more tokens, it is indexed again from its whole context
        ctx.append(1, 3, 1);
        assertEquals(List.of(2, 3, 1), draft(speculator, ctx, 1));
    }

    @Test
    void adaptiveKGrowsOnFullAcceptanceAndShrinksOnRejections() {
        var speculator = ngram(Map.of("num_speculative_tokens", 8, "adaptive_k", true));
        int[] repeated = IntStream.range(0, 40).map(i -> i % 10).toArray(); // 9 tokens follow the last match
        var ctx = new FakeSpecContext().context(1, repeated);
        assertEquals(8, draft(speculator, ctx, 1).size());     // starts at num_speculative_tokens
        ctx.verified(1, 8, 2);
        assertEquals(4, draft(speculator, ctx, 1).size());     // 2 of 8 accepted: halved
        ctx.verified(1, 4, 1);
        assertEquals(2, draft(speculator, ctx, 1).size());     // 1 of 4: halved
        ctx.verified(1, 2, 2);
        assertEquals(3, draft(speculator, ctx, 1).size());     // all accepted: +1
        ctx.verified(1, 3, 2);
        assertEquals(3, draft(speculator, ctx, 1).size());     // 2 of 3: kept
    }

    @Test
    void fixedKIgnoresAcceptance() {
        var speculator = ngram(Map.of("num_speculative_tokens", 8));
        int[] repeated = IntStream.range(0, 40).map(i -> i % 10).toArray(); // 9 tokens follow the last match
        var ctx = new FakeSpecContext().context(1, repeated);
        draft(speculator, ctx, 1);
        ctx.verified(1, 8, 0);
        assertEquals(8, draft(speculator, ctx, 1).size());
    }

    /** Property: on random tokens from a 50k vocabulary a suffix almost never occurred before. */
    @ParameterizedTest
    @ValueSource(longs = {1, 7, 2026})
    void almostNeverProposesOnRandomTokens(long seed) {
        var random = new Random(seed);
        var unigram = ngram(Map.of());
        var bigram = ngram(Map.of("prompt_lookup_min", 2));
        int steps = 0;
        int unigramDrafts = 0;
        int bigramDrafts = 0;
        for (long id = 0; id < 20; id++) {
            var ctx = new FakeSpecContext().context(id, random.ints(500, 0, 50_000).toArray());
            for (int step = 0; step < 100; step++) {
                ctx.append(id, random.nextInt(50_000));
                steps++;
                unigramDrafts += unigram.propose(List.of(ctx.seq(id)), ctx).size();
                bigramDrafts += bigram.propose(List.of(ctx.seq(id)), ctx).size();
            }
        }
        // then: a 1-gram repeats with chance ~ context / vocabulary (1.1%), a 2-gram with ~ context / vocabulary^2
        assertTrue(unigramDrafts < 0.03 * steps, "seed " + seed + ": " + unigramDrafts + " drafts in " + steps + " steps");
        assertEquals(0, bigramDrafts, "seed " + seed);
    }

    /** Property: on a context made of one random block repeated, the draft is the true continuation. */
    @ParameterizedTest
    @ValueSource(longs = {1, 7, 2026})
    void proposesTheTrueContinuationOfARepeatedBlock(long seed) {
        var random = new Random(seed);
        var speculator = ngram(Map.of("num_speculative_tokens", 6));
        for (long id = 0; id < 20; id++) {
            int period = 2 + random.nextInt(100);
            int[] block = random.ints(period, 0, 50_000).toArray();
            int length = period + 4 + random.nextInt(3 * period);
            int[] context = IntStream.range(0, length).map(i -> block[i % period]).toArray();
            var ctx = new FakeSpecContext().context(id, context);
            var draft = draft(speculator, ctx, id);
            var truth = IntStream.range(length, length + Math.min(6, period)).map(i -> block[i % period]).boxed().toList();
            assertEquals(truth, draft, "seed " + seed + ", period " + period + ", length " + length);
        }
    }

    /** Property: on small vocabularies (many matches) the index finds what a plain backward scan finds. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 2026})
    void agreesWithABackwardScanWhileContextsGrow(long seed) {
        var random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            int vocabulary = 2 + random.nextInt(8);
            int max = 1 + random.nextInt(6);
            int min = 1 + random.nextInt(max);
            int k = 1 + random.nextInt(8);
            var speculator = ngram(Map.of("num_speculative_tokens", k, "prompt_lookup_max", max, "prompt_lookup_min", min));
            var ctx = new FakeSpecContext();
            var contexts = new int[3][];
            for (int id = 0; id < 3; id++) {
                contexts[id] = random.ints(1 + random.nextInt(5), 0, vocabulary).toArray();
                ctx.context(id, contexts[id]);
            }
            for (int step = 0; step < 150; step++) {
                for (int id = 0; id < 3; id++) {
                    int[] more = random.ints(1 + random.nextInt(4), 0, vocabulary).toArray();
                    ctx.append(id, more);
                    contexts[id] = concat(contexts[id], more);
                }
                var drafts = speculator.propose(List.of(ctx.seq(0), ctx.seq(1), ctx.seq(2)), ctx);
                var expected = IntStream.range(0, 3).mapToObj(id -> backwardScan(contexts[id], min, max, k, id))
                        .filter(d -> d != null).toList();
                assertEquals(expected, drafts, () -> "seed " + seed + ", vocabulary " + vocabulary + ", n in [" + min
                        + ", " + max + "], k " + k + ", contexts " + Arrays.deepToString(contexts));
            }
        }
    }

    /** The brief's algorithm, literally: for n from max down to min, the most recent earlier occurrence. */
    private static Draft backwardScan(int[] context, int min, int max, int k, long id) {
        int length = context.length;
        for (int n = max; n >= min; n--) {
            if (n >= length) continue;
            for (int start = length - n - 1; start >= 0; start--) {
                if (Arrays.equals(context, start, start + n, context, length - n, length)) {
                    int from = start + n;
                    return new Draft(id, Arrays.copyOfRange(context, from, Math.min(from + k, length)));
                }
            }
        }
        return null;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static Speculator ngram(Map<String, ?> params) {
        return new NgramSpeculator().create(NgramSpeculatorTest.params(params));
    }

    /** The tokens of the draft of sequence {@code id}, or none. */
    static List<Integer> draft(Speculator speculator, FakeSpecContext ctx, long id) {
        return tokens(speculator.propose(List.of(ctx.seq(id)), ctx), id);
    }

    static List<Integer> tokens(List<Draft> drafts, long id) {
        return drafts.stream().filter(d -> d.seqId() == id).findFirst()
                .map(d -> Arrays.stream(d.tokens()).boxed().toList()).orElse(List.of());
    }
}

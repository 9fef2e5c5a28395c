package servelab.testkit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import servelab.api.Clock;
import servelab.api.sched.SeqView;
import servelab.api.spec.SpecContext;

/**
 * Hand-made decoding sequences for speculator tests: each has a context (prompt then output tokens), a draft cap
 * the engine would apply (unlimited unless a test sets one) and verification totals a test moves by hand.
 */
public final class FakeSpecContext implements SpecContext {

    /** A decoding sequence as a speculator sees it: its context is all computed but the last token. */
    public record Seq(long id, int promptTokens, int outputTokens) implements SeqView {
        @Override public int computedTokens() { return promptTokens + outputTokens - 1; }
        @Override public int maxOutputTokens() { return outputTokens + 1_000; }
        @Override public long arrivalNanos() { return 0; }
        @Override public int priority() { return 0; }
        @Override public String tenant() { return "default"; }
        @Override public int cachedPrefixTokens() { return 0; }
        @Override public int preemptions() { return 0; }
        @Override public OptionalInt predictedOutputTokens() { return OptionalInt.empty(); }
        @Override public boolean isSwapped() { return false; }
    }

    private final Map<Long, List<Integer>> contexts = new HashMap<>();
    private final Map<Long, Integer> maxDraft = new HashMap<>();
    private final Map<Long, int[]> totals = new HashMap<>();

    /** Sets sequence {@code id}'s context; the first token is its prompt, the rest its output. */
    public FakeSpecContext context(long id, int... tokens) {
        var list = new ArrayList<Integer>();
        for (int t : tokens) list.add(t);
        contexts.put(id, list);
        return this;
    }

    /** Appends {@code tokens} to sequence {@code id}'s output. */
    public FakeSpecContext append(long id, int... tokens) {
        for (int t : tokens) contexts.get(id).add(t);
        return this;
    }

    /** The engine's draft cap for {@code id}. */
    public FakeSpecContext maxDraft(long id, int tokens) {
        maxDraft.put(id, tokens);
        return this;
    }

    /** Records a verification of {@code drafted} draft tokens of {@code id}, {@code accepted} of them accepted. */
    public FakeSpecContext verified(long id, int drafted, int accepted) {
        var t = totals.computeIfAbsent(id, k -> new int[2]);
        t[0] += drafted;
        t[1] += accepted;
        return this;
    }

    /** The view of sequence {@code id} as it is now. */
    public Seq seq(long id) {
        return new Seq(id, 1, contexts.get(id).size() - 1);
    }

    @Override public Clock clock() { return () -> 0; }

    @Override
    public int token(SeqView seq, int index) {
        var context = contexts.get(seq.id());
        if (index < 0 || index >= seq.promptTokens() + seq.outputTokens()) {
            throw new IndexOutOfBoundsException("token " + index + " of seq " + seq.id() + " with " + context.size());
        }
        return context.get(index);
    }

    @Override public int maxDraftTokens(SeqView seq) { return maxDraft.getOrDefault(seq.id(), Integer.MAX_VALUE); }
    @Override public int draftedTokens(SeqView seq) { return totals.getOrDefault(seq.id(), new int[2])[0]; }
    @Override public int acceptedTokens(SeqView seq) { return totals.getOrDefault(seq.id(), new int[2])[1]; }
}

package servelab.api.batch;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import servelab.api.sched.SeqView;

/**
 * The engine-owned plan a batcher fills. Appending is cheap and allocation-free (the engine reuses the plan's
 * arrays every step). Each call checks its arguments against the sequence at once and throws
 * {@link InvalidPlanException} naming the sequence and the rule; the engine turns that into an error naming the
 * batcher and changes no state.
 */
@ProviderType
public interface BatchPlan {
    /**
     * Computes the next {@code tokens} uncomputed tokens of {@code seq}: 1 ≤ tokens ≤ uncomputed (minus the
     * prefix-cache hit for a waiting sequence). A waiting sequence is admitted by its first chunk.
     */
    void prefill(SeqView seq, int tokens);

    /** One decode token for a running sequence with exactly one uncomputed token. */
    void decode(SeqView seq);

    /** A decode that also scores {@code draftTokens} speculative tokens (k + 1 tokens of work). */
    void verify(SeqView seq, int draftTokens);

    /** Takes a running sequence off the device before this step's work runs; its blocks become free. */
    void preempt(SeqView seq, PreemptMode mode);

    /** Sequences with work in the plan so far. */
    int sequences();

    /** Tokens of work in the plan so far. */
    int tokens();

    /** The plan as values, in the order appended (allocates; for tests, events and debugging). */
    List<Work> items();
}

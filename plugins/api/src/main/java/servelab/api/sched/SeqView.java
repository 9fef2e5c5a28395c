package servelab.api.sched;

import java.util.OptionalInt;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A read-only view of one sequence (request) that the engine lends to policies. Token counts follow vLLM v1:
 * a sequence has {@code promptTokens + outputTokens} tokens, of which {@code computedTokens} have their KV in
 * memory; a step schedules some of the {@link #uncomputedTokens()} (a prefill chunk of n, or a decode of 1).
 *
 * <p>Values reflect the state at the current iteration boundary and do not change while a policy runs; they
 * do change between iterations, so a policy must not keep views across calls. The engine owns the sequence:
 * a policy cannot change it, and replacing a policy never loses one.
 */
@ProviderType
public interface SeqView {
    /** Unique id within the run (the request's index in the trace). */
    long id();

    /** Tokens in the prompt. */
    int promptTokens();

    /** Tokens generated so far. */
    int outputTokens();

    /** Tokens whose KV is computed and held (0 after a preemption by recompute). */
    int computedTokens();

    /**
     * The request's output limit. In trace replay, requests run to exactly this length (ignore-EOS semantics,
     * as in vLLM's benchmarks), so a policy that reads it has oracle knowledge of the output length.
     */
    int maxOutputTokens();

    /** Arrival time on the run's {@link servelab.api.Clock}, nanoseconds. */
    long arrivalNanos();

    /** Request priority from the trace or an admission rule; smaller is more urgent (vLLM's convention), 0 default. */
    int priority();

    /** Tenant or user the request belongs to ({@code "default"} when the trace has none). */
    String tenant();

    /** Prompt tokens served from the prefix cache when the sequence was (last) admitted. */
    int cachedPrefixTokens();

    /** Times this sequence has been preempted so far. */
    int preemptions();

    /** A length predictor's estimate of the total output, when a predictor is configured. */
    OptionalInt predictedOutputTokens();

    /** Whether the sequence's KV is in the host tier after a preemption by swap. */
    boolean isSwapped();

    /** Tokens still to compute before the next token can be sampled: 1 for a decode, more for a prefill. */
    default int uncomputedTokens() {
        return promptTokens() + outputTokens() - computedTokens();
    }

    /** Whether the next step for this sequence is a decode (exactly one uncomputed token). */
    default boolean isDecoding() {
        return uncomputedTokens() == 1 && outputTokens() > 0;
    }
}

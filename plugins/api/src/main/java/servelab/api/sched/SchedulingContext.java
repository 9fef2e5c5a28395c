package servelab.api.sched;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import servelab.api.Clock;

/** What a scheduler sees at the start of a step. Lists are read-only and valid for this call only. */
@ProviderType
public interface SchedulingContext {
    /** Sequences holding KV memory, in the order they were first scheduled. */
    List<SeqView> running();

    /** Sequences without KV on the device (new, or preempted), ordered by arrival time, then id. */
    List<SeqView> waiting();

    /** The run's clock. */
    Clock clock();

    /**
     * Prompt tokens of {@code seq} that the prefix cache could serve now (block-aligned). Computed on demand,
     * so cache-agnostic schedulers pay nothing; 0 when no prefix cache is configured.
     */
    int cachedPrefixTokens(SeqView seq);
}

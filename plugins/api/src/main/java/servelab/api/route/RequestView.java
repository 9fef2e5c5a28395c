package servelab.api.route;

import org.osgi.annotation.versioning.ProviderType;

/** A request as routing and admission see it, before any replica holds it. Valid for the call it is passed to. */
@ProviderType
public interface RequestView {
    long id();

    /** Arrival time at the client (the trace's clock), nanoseconds. */
    long arrivalNanos();

    int promptTokens();

    /**
     * The output limit; after a {@link Admission.Degrade} that caps it, the router sees the capped value. In a trace
     * replay ({@code servelab run}) this is the trace's output length, which every request then generates: a policy
     * that reads it knows the answer's true length, as no real server does. Under {@code servelab serve} it is the
     * client's {@code max_tokens}. A policy meant to be realistic must treat it as an upper bound.
     */
    int maxOutputTokens();

    /** Smaller is more urgent (vLLM's convention), 0 when the trace has none. */
    int priority();

    String tenant();

    /**
     * The run's clock when this decision is made, nanoseconds: arrival plus the client-to-router delay plus any
     * time queued at the router. Time-based policies (token buckets) read this rather than the wall clock.
     * Default {@link #arrivalNanos()}.
     */
    default long decisionNanos() {
        return arrivalNanos();
    }

    /**
     * The prompt's token identity as chained block hashes, for cache-aware routers; {@link BlockHashes#NONE} when
     * the trace carries none. Not copied per call. Default {@link BlockHashes#NONE}.
     */
    default BlockHashes promptBlocks() {
        return BlockHashes.NONE;
    }

    /**
     * What requests of one conversation share, for session affinity (a trace column where one exists, else the
     * configured key, for example the first block hash or the tenant). Default {@link #tenant()}.
     */
    default String sessionKey() {
        return tenant();
    }

    /** 0 for the first attempt; a retry or a hedged copy counts up. Default 0. */
    default int attempt() {
        return 0;
    }
}

package servelab.runtime.record;

/** Placeholder; replaced by the results work. */
public record RequestRow(long requestId, int replica, String tenant, int priority, long arrivalNanos,
    long firstScheduledNanos, long firstTokenNanos, long completionNanos, int inputTokens, int outputTokens,
    int cachedPrefixTokens, int preemptions, long[] tokenTimesNanos,
    int specDrafts, int specDraftTokens, int specAcceptedTokens, String error) {}

package servelab.runtime.record;

/** Placeholder; replaced by the results work. */
public record IterationRow(long iteration, int replica, long startNanos, long endNanos, int batchSize,
    int prefillSeqs, int decodeSeqs, int prefillTokens, int decodeTokens, int waitingSeqs, int runningSeqs,
    int kvBlocksUsed, int kvBlocksTotal, long prefixQueryTokens, long prefixHitTokens, int preemptions,
    long schedulerCpuNanos, String scheduler, String batcher) {}

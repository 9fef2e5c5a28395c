package servelab.runtime.engine;

/**
 * One committed step as an executor sees it: flat per-item values plus the totals a cost model needs. Item
 * {@code i} computes tokens {@code [startPosition(i), startPosition(i) + tokens(i))} of sequence {@code seqId(i)},
 * whose KV lives in device blocks {@code blockTable(i)[0 .. blockCount(i))}. Valid during {@code execute} only;
 * the engine reuses it every step.
 */
public interface StepBatch {
    int size();

    long seqId(int i);

    int tokens(int i);

    int startPosition(int i);

    /** Speculative tokens verified by item {@code i} (0 for a plain prefill or decode). */
    int draftTokens(int i);

    /** The engine's block table of item {@code i}'s sequence; read only. */
    int[] blockTable(int i);

    int blockCount(int i);

    /** Tokens computed for sequences still in their prompt (or recomputing after a preemption). */
    int prefillTokens();

    /** Tokens computed for decoding sequences (1 each, k + 1 for a verification). */
    int decodeTokens();

    /** Sum over prefill items of query tokens x keys attended (causal): n * p + n * (n + 1) / 2. */
    long prefillAttentionPairs();

    /** Sum over decode items of the context each attends to. */
    long decodeContextTokens();

    /** KV blocks copied host to device before this step (swap-ins). */
    int swapInBlocks();

    /** KV blocks copied device to host before this step (swap preemptions). */
    int swapOutBlocks();
}

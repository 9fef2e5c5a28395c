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

    /** Prompt tokens of item {@code i}'s sequence. */
    int promptTokens(int i);

    /**
     * Token id at {@code position} of item {@code i}'s sequence: a prompt token, an output token produced so far, or
     * (past those) one of the step's draft tokens. The step's input tokens are positions {@code startPosition(i) ..
     * startPosition(i) + tokens(i) - 1}.
     */
    int token(int i, int position);

    /**
     * Whether the step samples item {@code i}'s next token: its chunk reaches the end of the sequence's tokens (a
     * decode, or the last chunk of a prefill). An earlier prefill chunk samples nothing.
     */
    boolean samples(int i);

    /**
     * Gives the engine a token the step sampled for item {@code i}; an executor that produces tokens calls it for
     * every item that {@link #samples(int) samples}, during {@link Executor#execute}: once for a decode or a last
     * prefill chunk; for a verification of k drafts, once per accepted draft (the draft's own token, in order) and
     * once more for the token sampled after them (a correction where a draft was rejected, else a bonus token).
     */
    void emit(int i, int token);

    /**
     * For an executor that produces no tokens (simulation): how many of item {@code i}'s drafts were accepted;
     * called once per verification. The engine then adds the accepted drafts and one more token.
     */
    void accept(int i, int acceptedDrafts);

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

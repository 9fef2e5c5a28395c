package servelab.runtime.engine;

/**
 * One committed step as an executor sees it: flat per-item values plus the totals a cost model needs. Item
 * {@code i} computes tokens {@code [startPosition(i), startPosition(i) + tokens(i))} of sequence {@code seqId(i)},
 * whose KV lives in device blocks {@code blockTable(i)[0 .. blockCount(i))}. Valid during {@code execute} only;
 * the engine reuses it every step. Read only: what the step produces goes into its {@link StepResult}.
 *
 * <p><b>KV copies.</b> Before the forward pass the executor performs every swap-out ({@link #swapOutDevice} device
 * block to {@link #swapOutHost} host slot, {@code j} in {@code [0, swapOuts())}), then every swap-in
 * ({@link #swapInHost} host slot to {@link #swapInDevice} device block). Swap-outs come from swap preemption (a
 * sequence's blocks, in token order) and from offload (a prefix-cache block the device evicts, kept in the host
 * tier); swap-ins bring back a swapped-out sequence (into fresh blocks of its table, in token order) or a block
 * a prefix match found in the host tier. The engine guarantees: no host slot is written twice in a step, and no
 * slot a swap-in reads is written in the same step; each swap-in writes a distinct device block that the step
 * has just allocated to one of its sequences (no other sequence references it). A host slot may be read by two
 * swap-ins (two sequences reloading the same cached block each get their own copy). Host slots number
 * {@code [0, host blocks)} of the replica.
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

    /** KV blocks copied host to device before this step: swap-ins and host-tier prefix hits; {@code swapIns()}. */
    int swapInBlocks();

    /** KV blocks copied device to host before this step: swap preemptions and offloads; {@code swapOuts()}. */
    int swapOutBlocks();

    /** Device-to-host copies of this step, performed first. */
    int swapOuts();

    /** Device block read by swap-out {@code j}. */
    int swapOutDevice(int j);

    /** Host slot written by swap-out {@code j}. */
    int swapOutHost(int j);

    /** Host-to-device copies of this step, performed after every swap-out and before the forward pass. */
    int swapIns();

    /** Host slot read by swap-in {@code j}. */
    int swapInHost(int j);

    /** Device block written by swap-in {@code j}. */
    int swapInDevice(int j);
}

package servelab.runtime.engine;

import java.util.Arrays;

/**
 * A committed plan as the executor reads it ({@link StepBatch}): the plan's items with their start positions, the
 * step's cost totals and its device-host copies. Filled by the replica as it commits; reused every step.
 */
final class CommittedStep implements StepBatch {
    private PlanBuilder plan;
    private KvTransfers transfers;
    private int[] starts = new int[64];
    private int prefillTokens;
    private int decodeTokens;
    private int prefillSeqs;
    private long prefillAttentionPairs;
    private long decodeContextTokens;

    /** Starts committing {@code plan}, whose copies the KV manager lists in {@code transfers}. */
    void begin(PlanBuilder plan, KvTransfers transfers) {
        this.plan = plan;
        this.transfers = transfers;
        if (starts.length < plan.size()) starts = new int[Math.max(plan.size(), 2 * starts.length)];
        prefillTokens = decodeTokens = prefillSeqs = 0;
        prefillAttentionPairs = decodeContextTokens = 0;
    }

    /** Item {@code i} computes from position {@code start}; it counts as a decode or as prefill in the totals. */
    void place(int i, int start, boolean decode) {
        starts[i] = start;
        int n = plan.tokens(i);
        long pairs = (long) n * start + (long) n * (n + 1) / 2;
        if (decode) { // a decode, or a verification of n - 1 drafts
            decodeTokens += n;
            decodeContextTokens += pairs;
        } else {
            prefillTokens += n;
            prefillSeqs++;
            prefillAttentionPairs += pairs;
        }
    }

    int prefillSeqs() { return prefillSeqs; }
    Sequence seq(int i) { return plan.seq(i); }

    @Override public int size() { return plan.size(); }
    @Override public long seqId(int i) { return plan.seq(i).id(); }
    @Override public int tokens(int i) { return plan.tokens(i); }
    @Override public int startPosition(int i) { return starts[i]; }
    @Override public int draftTokens(int i) { return plan.draftTokens(i); }
    @Override public int promptTokens(int i) { return plan.seq(i).promptTokens(); }
    @Override public int[] blockTable(int i) { return plan.seq(i).blocks; }
    @Override public int blockCount(int i) { return plan.seq(i).blockCount; }

    @Override
    public int token(int i, int position) {
        var seq = plan.seq(i);
        int known = seq.promptTokens() + seq.outputTokens;
        int drafted = draftTokens(i);
        if (position < 0 || position >= known + drafted) {
            throw new IndexOutOfBoundsException("position " + position + " of " + seq + " (it has " + known
                    + " tokens and " + drafted + " drafts in this step)");
        }
        return position < known ? seq.tokens.at(position) : seq.draft[position - known];
    }

    @Override
    public boolean samples(int i) {
        var seq = plan.seq(i);
        return starts[i] + plan.tokens(i) - draftTokens(i) == seq.promptTokens() + seq.outputTokens;
    }

    @Override public int prefillTokens() { return prefillTokens; }
    @Override public int decodeTokens() { return decodeTokens; }
    @Override public long prefillAttentionPairs() { return prefillAttentionPairs; }
    @Override public long decodeContextTokens() { return decodeContextTokens; }
    @Override public int swapInBlocks() { return transfers.swapIns(); }
    @Override public int swapOutBlocks() { return transfers.swapOuts(); }
    @Override public int swapOuts() { return transfers.swapOuts(); }
    @Override public int swapOutDevice(int j) { return transfers.swapOutDevice(j); }
    @Override public int swapOutHost(int j) { return transfers.swapOutHost(j); }
    @Override public int swapIns() { return transfers.swapIns(); }
    @Override public int swapInHost(int j) { return transfers.swapInHost(j); }
    @Override public int swapInDevice(int j) { return transfers.swapInDevice(j); }

    @Override
    public String toString() {
        return "step of " + size() + " items " + Arrays.toString(Arrays.copyOf(starts, size()));
    }
}

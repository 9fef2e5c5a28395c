package servelab.runtime.calibrate;

import servelab.runtime.engine.StepBatch;
import servelab.runtime.engine.TokenSpace;

/**
 * A designed step as an executor reads it: each item of a {@link GridPoint} gets blocks of its own (consecutive ids
 * from 0, as a fresh pool hands them out), tokens drawn from the model's ordinary tokens, and optionally KV copies
 * between device and host (to time swaps). The executor runs it exactly as it runs an engine step.
 */
final class SyntheticStep implements StepBatch {
    private final GridPoint point;
    private final TokenSpace tokens;
    private final int[][] tables;
    private final int swapBlocks;
    private final int swapFirstDevice;
    private final int prefillTokens;
    private final int decodeTokens;
    private final long pairs;
    private final long context;

    /**
     * @param swapBlocks swap-outs of device blocks {@code 0 .. swapBlocks - 1} to host slots of the same numbers, then
     *                   swap-ins of those slots into the blocks after the items' own (0: no copies)
     */
    SyntheticStep(GridPoint point, int blockSize, TokenSpace tokens, int swapBlocks) {
        this.point = point;
        this.tokens = tokens;
        this.swapBlocks = swapBlocks;
        this.tables = new int[point.items().size()][];
        int next = 0;
        for (int i = 0; i < tables.length; i++) {
            var w = point.items().get(i);
            tables[i] = new int[Math.ceilDiv(w.start() + w.tokens(), blockSize)];
            for (int b = 0; b < tables[i].length; b++) tables[i][b] = next++;
        }
        this.swapFirstDevice = next;
        var row = point.row(1);
        this.prefillTokens = row.prefillTokens();
        this.decodeTokens = row.decodeTokens();
        this.pairs = row.prefillAttentionPairs();
        this.context = row.decodeContextTokens();
    }

    /** Device blocks the step touches, copies included. */
    int blocksUsed() {
        return swapFirstDevice + swapBlocks;
    }

    @Override public int size() { return tables.length; }
    @Override public long seqId(int i) { return i; }
    @Override public int tokens(int i) { return point.items().get(i).tokens(); }
    @Override public int startPosition(int i) { return point.items().get(i).start(); }
    @Override public int draftTokens(int i) { return 0; }
    @Override public int promptTokens(int i) { return startPosition(i) + tokens(i); }

    /** Distinct tokens per position and sequence, so no two sequences are the same text. */
    @Override
    public int token(int i, int position) {
        return tokens.first() + Math.floorMod(31 * position + 7919 * i + 17, tokens.count());
    }

    @Override public boolean samples(int i) { return true; }
    @Override public int[] blockTable(int i) { return tables[i]; }
    @Override public int blockCount(int i) { return tables[i].length; }
    @Override public int prefillTokens() { return prefillTokens; }
    @Override public int decodeTokens() { return decodeTokens; }
    @Override public long prefillAttentionPairs() { return pairs; }
    @Override public long decodeContextTokens() { return context; }
    @Override public int swapInBlocks() { return swapBlocks; }
    @Override public int swapOutBlocks() { return swapBlocks; }
    @Override public int swapOuts() { return swapBlocks; }
    @Override public int swapOutDevice(int j) { return j; }
    @Override public int swapOutHost(int j) { return j; }
    @Override public int swapIns() { return swapBlocks; }
    @Override public int swapInHost(int j) { return j; }
    @Override public int swapInDevice(int j) { return swapFirstDevice + j; }
}

package servelab.runtime.calibrate;

import servelab.runtime.engine.StepBatch;
import servelab.runtime.engine.TokenSpace;

/**
 * A designed step as an executor reads it: each item of a {@link GridPoint} gets blocks of its own, tokens drawn from
 * the model's ordinary tokens, and optionally KV copies between device and host (to time swaps). The executor runs it
 * exactly as it runs an engine step.
 *
 * <p>The blocks are taken in order from {@code blockOrder}, which the calibrator makes a seeded random permutation of
 * the whole pool, different per step: an engine that has run for a while holds its sequences' blocks scattered over
 * the pool, and its decode steps read KV that the previous steps did not. When every designed step took consecutive
 * blocks from 0, all of them read the same first blocks, which stayed in the caches: on the ~100M model the engine's
 * decode steps then cost 1.23x the grid's, and validation's typical decode step (ITL p50) came out 27-30% too fast.
 */
final class SyntheticStep implements StepBatch {
    private final GridPoint point;
    private final TokenSpace tokens;
    private final int[][] tables;
    private final int swapBlocks;
    private final int swapFirstDevice;
    private final int[] blockOrder;
    private final int prefillTokens;
    private final int decodeTokens;
    private final long pairs;
    private final long context;

    /**
     * @param swapBlocks swap-outs of the step's first {@code swapBlocks} blocks to host slots {@code 0 ..
     *                   swapBlocks - 1}, then swap-ins of those slots into the blocks after the items' own (0: no copies)
     * @param blockOrder the device block ids to use, in order (as many as the items' blocks plus {@code swapBlocks})
     */
    SyntheticStep(GridPoint point, int blockSize, TokenSpace tokens, int swapBlocks, int[] blockOrder) {
        this.point = point;
        this.tokens = tokens;
        this.swapBlocks = swapBlocks;
        this.blockOrder = blockOrder;
        this.tables = new int[point.items().size()][];
        int needed = swapBlocks;
        for (var w : point.items()) needed += Math.ceilDiv(w.start() + w.tokens(), blockSize);
        if (needed > blockOrder.length) {
            throw new IllegalArgumentException("the step needs " + needed + " blocks, the order has " + blockOrder.length);
        }
        int next = 0;
        for (int i = 0; i < tables.length; i++) {
            var w = point.items().get(i);
            tables[i] = new int[Math.ceilDiv(w.start() + w.tokens(), blockSize)];
            for (int b = 0; b < tables[i].length; b++) tables[i][b] = blockOrder[next++];
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

    /** A seeded random order of the pool's {@code blocks} block ids. */
    static int[] scattered(int blocks, long seed) {
        return Calibrator.shuffled(blocks, new java.util.SplittableRandom(seed));
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
    @Override public int swapOutDevice(int j) { return blockOrder[j]; }
    @Override public int swapOutHost(int j) { return j; }
    @Override public int swapIns() { return swapBlocks; }
    @Override public int swapInHost(int j) { return j; }
    @Override public int swapInDevice(int j) { return blockOrder[swapFirstDevice + j]; }
}

package servelab.kernels.tornado;

import java.util.List;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.attention.KvAddress;
import servelab.kernels.model.Config;
import servelab.kernels.model.ResidentForward;
import servelab.kernels.model.SequenceChunk;

/**
 * What a device step uploads, and nothing else: {@code counts} (tokens, logit rows, then the tokens each layer runs:
 * all of them, or none past a layer-skip draft's last layer, then the run's attention splits), per token its id,
 * position and chunk, the block ids
 * each chunk reaches, back to back ({@code blockTables}, chunk {@code s}'s from {@code tableStarts[s]}), which token
 * rows want logits, and the draws and verifications of the logit rows. The arrays are made once for a capacity and
 * refilled per step.
 */
final class StepMetadata {
    /** Where layer {@code l}'s tasks read their token count in {@code counts}. */
    static int layerSlot(int l) {
        return 2 + l;
    }

    /** Where the attention kernels read the run's splits ({@link #splitsFor}) in {@code counts}. */
    static int splitSlot(int layers) {
        return 2 + layers;
    }

    /**
     * Most token x split rows a run's split attention holds partial results for: {@code 256 x heads x (headDim + 2)}
     * floats, 2.2 MB for the 1B shape. Prefill runs have their parallelism in their tokens and are not split.
     */
    static final int SPLIT_ROWS = 256;
    /** Fewest positions a split takes: shorter spans would spend more on the partial results than they save. */
    static final int MIN_SPAN = 256;

    /**
     * The attention splits of a run of {@code tokens} tokens whose longest context is {@code longest} positions:
     * one split per {@value #MIN_SPAN} positions of the longest, at most {@code maxSplits}, and no more than
     * {@value #SPLIT_ROWS} token x split rows; 1 (unsplit) for short contexts and for prefills.
     */
    static int splitsFor(int tokens, int longest, int maxSplits) {
        int byRows = SPLIT_ROWS / Math.max(1, tokens);
        int byLength = (longest + MIN_SPAN - 1) / MIN_SPAN;
        return Math.max(1, Math.min(maxSplits, Math.min(byRows, byLength)));
    }

    final IntArray counts;
    final IntArray tokens;
    final IntArray positions;
    final IntArray tableRows;
    final IntArray blockTables;
    final IntArray tableStarts;
    final IntArray logitRows;
    /** Per logit row: its draw's parameters ({@link SamplingKernels#ROW_PARAMS}) and the uniform the draw inverts. */
    final FloatArray rowParams;
    final FloatArray uniforms;
    /** The verifications of the run on the device (see {@link VerifyKernels#verifyTemperature}). */
    final IntArray verifyMeta;
    final FloatArray verifyFloats;
    private final DeviceForward.Capacity cap;
    private final int maxSplits;
    private int splits = 1;

    /** @param maxSplits most attention splits a run may take (1: never split) */
    StepMetadata(DeviceForward.Capacity cap, int layers, int maxSplits) {
        this.cap = cap;
        this.maxSplits = maxSplits;
        counts = new IntArray(splitSlot(layers) + 1);
        tokens = new IntArray(cap.tokens());
        positions = new IntArray(cap.tokens());
        tableRows = new IntArray(cap.tokens());
        blockTables = new IntArray(cap.tableEntries());
        tableStarts = new IntArray(cap.sequences());
        logitRows = new IntArray(cap.logitRows());
        rowParams = new FloatArray(cap.logitRows() * SamplingKernels.ROW_PARAMS);
        uniforms = new FloatArray(cap.logitRows());
        verifyMeta = new IntArray(1 + cap.sequences() * VerifyKernels.VERIFY_STRIDE);
        verifyFloats = new FloatArray(cap.sequences() * VerifyKernels.VERIFY_STRIDE);
    }

    /** What every layer's tasks read (the logits' tasks too); the embedding reads {@link #tokens} besides. */
    Object[] layers() {
        return new Object[] {counts, positions, tableRows, blockTables, tableStarts};
    }

    /** What only the logits' tasks read: which rows want logits, the draws and the verifications. */
    Object[] sampling() {
        return new Object[] {logitRows, rowParams, uniforms, verifyMeta, verifyFloats};
    }

    int logitRows() {
        return counts.get(1);
    }

    /** The attention splits of this run (what {@link #fill} chose). */
    int splits() {
        return splits;
    }

    /** Verifications in this run. */
    int verifications() {
        return verifyMeta.get(0);
    }

    /**
     * This run's verifications: the chunks of the step ({@code batch}, logit rows from {@code firstRow}) whose
     * {@code draws.verify()} entry is set and whose logit rows are this run's, rows {@code from .. from + rows}.
     * Returns the chunk index of each, in order.
     */
    int[] fillVerifications(List<SequenceChunk> batch, int[] firstRow, ResidentForward.Draws draws, int from, int rows) {
        int n = 0;
        var chunks = new int[cap.sequences()];
        if (draws != null && draws.verify() != null) {
            for (int s = 0; s < batch.size(); s++) {
                var v = draws.verify()[s];
                if (v == null || firstRow[s] < from || firstRow[s] >= from + rows) continue;
                int[] t = batch.get(s).tokens();
                int k = t.length - 1;
                int meta = 1 + n * VerifyKernels.VERIFY_STRIDE;
                int at = n * VerifyKernels.VERIFY_STRIDE;
                verifyMeta.set(meta, firstRow[s] - from);
                verifyMeta.set(meta + 1, k);
                for (int i = 0; i < k; i++) verifyMeta.set(meta + 2 + i, t[1 + i]);
                verifyFloats.set(at, 1f / v.temperature());
                for (int i = 0; i <= k; i++) verifyFloats.set(at + 1 + i, (float) v.uniforms()[i]);
                chunks[n++] = s;
            }
        }
        verifyMeta.set(0, n);
        return java.util.Arrays.copyOf(chunks, n);
    }

    /** The draws of this run's {@code rows} logit rows: rows {@code from ..} of the step's {@code draws}. */
    void fillDraws(ResidentForward.Draws draws, int from, int rows) {
        for (int r = 0; r < rows; r++) {
            var p = draws == null ? null : draws.params()[from + r];
            boolean draw = p != null && !p.isGreedy();
            int at = r * SamplingKernels.ROW_PARAMS;
            rowParams.set(at, draw ? 1f / p.temperature() : 0f);
            rowParams.set(at + 1, draw ? p.topK() : 0);
            rowParams.set(at + 2, draw ? p.topP() : 1f);
            rowParams.set(at + 3, draw ? p.minP() : 0f);
            uniforms.set(r, draw ? (float) draws.uniform()[from + r] : 0f);
        }
    }

    /**
     * Lays {@code batch} out token after token, for a step of the first {@code layers} layers; returns the number of
     * logit rows. Throws, naming the chunk, when the batch does not fit the capacity or the model, before anything is
     * written.
     */
    int fill(List<SequenceChunk> batch, Config c, int layers) {
        check(batch, c);
        int t = 0;
        int rows = 0;
        int entries = 0;
        int longest = 0;
        for (int s = 0; s < batch.size(); s++) {
            var chunk = batch.get(s);
            longest = Math.max(longest, chunk.endPosition());
            int[] table = ((KvAddress.Blocks) chunk.kv()).table();
            tableStarts.set(s, entries);
            for (int b = 0; b < cap.blocksOf(chunk); b++) {
                blockTables.set(entries++, table[b]);
            }
            for (int j = 0; j < chunk.tokens().length; j++, t++) {
                tokens.set(t, chunk.tokens()[j]);
                positions.set(t, chunk.startPosition() + j);
                tableRows.set(t, s);
            }
            for (int j = t - chunk.logitTokens(); j < t; j++) {
                logitRows.set(rows++, j);
            }
        }
        counts.set(0, t);
        counts.set(1, rows);
        for (int l = 0; l < c.layers(); l++) {
            counts.set(layerSlot(l), l < layers ? t : 0);
        }
        splits = splitsFor(t, longest, maxSplits);
        counts.set(splitSlot(c.layers()), splits);
        return rows;
    }

    private void check(List<SequenceChunk> batch, Config c) {
        if (batch.size() > cap.sequences()) {   // none: a run that only makes the device buffers
            throw new IllegalArgumentException("a device step takes up to " + cap.sequences() + " chunks, got "
                    + batch.size());
        }
        checkChunks(batch, c);
        int tokenCount = 0;
        int rowCount = 0;
        int entries = 0;
        for (var chunk : batch) {
            tokenCount += chunk.tokens().length;
            rowCount += chunk.logitTokens();
            entries += cap.blocksOf(chunk);
        }
        if (tokenCount > cap.tokens() || rowCount > cap.logitRows()) {
            throw new IllegalArgumentException("the batch has " + tokenCount + " tokens and " + rowCount
                    + " logit rows; the plan was built for " + cap.tokens() + " and " + cap.logitRows());
        }
        if (entries > cap.tableEntries()) {
            throw new IllegalArgumentException("the batch reaches " + entries + " blocks; the plan holds "
                    + cap.tableEntries() + " block-table entries");
        }
    }

    /**
     * Throws, naming the chunk, when a chunk of {@code batch} does not fit the pool or the model: its addresses, its
     * positions, its token ids (what no cutting of a step into runs can mend).
     */
    void checkChunks(List<SequenceChunk> batch, Config c) {
        for (int s = 0; s < batch.size(); s++) {
            var chunk = batch.get(s);
            String which = "batch entry " + s + " (" + chunk.kv() + ")";
            if (!(chunk.kv() instanceof KvAddress.Blocks(int[] table))) {
                throw new IllegalArgumentException(which + ": the device KV pool is addressed by block tables");
            }
            int blocks = cap.blocksOf(chunk);
            if (blocks > Math.min(table.length, cap.maxBlocks())) {
                throw new IllegalArgumentException(which + ": positions up to " + (chunk.endPosition() - 1) + " need "
                        + blocks + " blocks; the table has " + table.length + ", the plan allows " + cap.maxBlocks());
            }
            for (int b = 0; b < blocks; b++) {
                if (table[b] < 0 || table[b] >= cap.poolBlocks()) {
                    throw new IllegalArgumentException(which + ": block " + table[b] + " is outside the device pool of "
                            + cap.poolBlocks());
                }
            }
            for (int token : chunk.tokens()) {
                if (token < 0 || token >= c.vocabularySize()) {
                    throw new IllegalArgumentException(which + ": token " + token + " outside the vocabulary");
                }
            }
        }
    }
}

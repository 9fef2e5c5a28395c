package servelab.kernels.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import uk.ac.manchester.tornado.api.DataRange;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.model.Config;
import servelab.kernels.model.Forward;
import servelab.kernels.model.Llama;
import servelab.kernels.model.Logits;
import servelab.kernels.model.ResidentForward;
import servelab.kernels.model.SequenceChunk;

/**
 * A whole forward step on one TornadoVM device with everything resident there: the weights go over once, the KV
 * pool lives on the device addressed by the engine's block ids, and a step uploads only its metadata (token ids,
 * positions, block tables, which rows want logits, each layer's token count, each row's sampling parameters and
 * uniform, the verifications, in {@link StepMetadata}) and downloads only the token of each logit row, greedy or
 * drawn, and the tokens its verifications kept (the logit rows too when asked). A chain of task graphs, a few layers
 * each, runs the layers ({@link ForwardGraphs}); it is built once for a {@link Capacity}, and every step reuses the
 * compiled kernels. A step larger than the capacity runs as
 * several, in order (chunks are cut into pieces of at most {@code capacity.tokens()}; the last piece of a chunk carries
 * its logit rows), which gives the same result: a token attends only to its own sequence's stored positions.
 *
 * <p>Prefill chunks, decodes and verification chunks are all the same here: every token attends to positions
 * {@code 0..its own} of its sequence, after the whole batch's keys and values are stored ({@link Forward}'s order).
 * A layer-skip draft runs the same graphs with the token counts of the layers past its last set to 0 (those tasks do
 * nothing), as {@link Forward#step(Llama, servelab.kernels.model.ForwardState, servelab.kernels.attention.PagedKvCache,
 * List, int)} does on the CPU. Swaps go through two more graphs over the same device pool ({@link SwapGraph}). Not
 * thread-safe.
 */
public final class DeviceForward implements ResidentForward {
    /**
     * Most attention splits per token x head ({@link AttentionKernels}): {@code -Dservelab.tornado.attentionSplits=N},
     * 1 to never split; 16 by default.
     */
    static final String SPLITS_PROPERTY = "servelab.tornado.attentionSplits";

    /**
     * What one plan is built for.
     *
     * @param tokens     tokens per step (all chunks together)
     * @param logitRows  rows of logits per step
     * @param sequences  chunks per step
     * @param maxBlocks  block-table entries per sequence: {@code maxBlocks * blockSize} positions at most
     * @param poolBlocks blocks in the device KV pool (block ids {@code 0..poolBlocks-1})
     * @param blockSize  positions per block
     */
    public record Capacity(int tokens, int logitRows, int sequences, int maxBlocks, int poolBlocks, int blockSize) {
        public Capacity {
            if (tokens <= 0 || logitRows <= 0 || sequences <= 0 || maxBlocks <= 0 || poolBlocks <= 0 || blockSize <= 0) {
                throw new IllegalArgumentException("every Capacity field must be > 0: " + tokens + ", " + logitRows + ", "
                        + sequences + ", " + maxBlocks + ", " + poolBlocks + ", " + blockSize);
            }
        }

        /**
         * What the engine's executor builds: {@code poolBlocks} blocks of {@code blockSize}, sequences as long as the
         * model's context, and per run up to 1,024 tokens in 256 chunks with 256 logit rows (larger steps run as
         * several).
         */
        public static Capacity forEngine(Config c, int blockSize, int poolBlocks) {
            if (c.contextLength() < blockSize) {
                throw new IllegalArgumentException("a block of " + blockSize + " positions is longer than the model's "
                        + c.contextLength());
            }
            return new Capacity(1024, 256, 256, c.contextLength() / blockSize, poolBlocks, blockSize);
        }

        /**
         * Block-table entries a run holds, all its chunks' together: every chunk at full length, up to 65,536 (256
         * KiB uploaded per run), and at least one full-length chunk; a run that would need more is cut.
         */
        public int tableEntries() {
            return (int) Math.max(maxBlocks, Math.min((long) sequences * maxBlocks, 65_536));
        }

        int maxContext() {
            return maxBlocks * blockSize;
        }

        /** The blocks {@code chunk} reaches: its positions {@code 0 .. endPosition - 1}. */
        int blocksOf(SequenceChunk chunk) {
            return (chunk.endPosition() + blockSize - 1) / blockSize;
        }
    }

    private final Config config;
    private final Capacity capacity;
    private final StepMetadata meta;
    private final IntArray ids;
    private final IntArray verifyOut;
    private final FloatArray logits;
    private final SwapGraph swaps;
    /** The forward step's graphs ({@link ForwardGraphs}): plan indices {@code 0..forwardGraphs-1}, the swap graphs after. */
    private final int forwardGraphs;
    private final int blockFloats;
    private final int layerStride;
    private final TornadoExecutionPlan plan;
    private final List<LayerTasks.SizedGrid> sizedGrids;
    private final String device;
    private boolean ran;

    public DeviceForward(Llama model, Capacity capacity) {
        this.config = model.config();
        this.capacity = capacity;
        var c = config;
        if (capacity.maxContext() > c.contextLength()) {
            throw new IllegalArgumentException("Capacity allows " + capacity.maxContext() + " positions, the model "
                    + c.contextLength());
        }
        if (c.headDim() > GroupKernels.WG) {
            throw new IllegalArgumentException("device attention takes heads of up to " + GroupKernels.WG
                    + " dimensions, the model's have " + c.headDim());
        }
        this.blockFloats = c.kvHeads() * capacity.blockSize() * c.headDim();
        this.layerStride = capacity.poolBlocks() * blockFloats;
        this.meta = new StepMetadata(capacity, c.layers(), maxSplits());
        this.ids = new IntArray(capacity.logitRows());
        this.verifyOut = new IntArray(capacity.sequences() * VerifyKernels.VERIFY_STRIDE);
        this.logits = new FloatArray(capacity.logitRows() * c.vocabularySize());
        var weights = DeviceWeights.of(model.weights());
        var a = new Activations(model, capacity);
        var grids = new GridScheduler();
        var chain = ForwardGraphs.build(model, capacity, weights, a, meta, logits, ids, verifyOut, grids);
        this.forwardGraphs = chain.graphs().size();
        this.sizedGrids = chain.sizedGrids();
        this.swaps = new SwapGraph("swap", chain.last(), a.keys, a.values, c.layers(), layerStride, blockFloats);
        var all = new ArrayList<ImmutableTaskGraph>(chain.graphs());
        all.addAll(List.of(swaps.graphs()));
        this.plan = DeviceChoice.apply(new TornadoExecutionPlan(all.toArray(ImmutableTaskGraph[]::new))
                .withGridScheduler(grids));
        this.device = DeviceChoice.describe();
    }

    /**
     * The engine's resident forward (called by name from the runtime, so that the default build needs no TornadoVM):
     * {@link Capacity#forEngine} over {@code poolBlocks} blocks. Throws, with the reason, when the model has a weight
     * format without device kernels or TornadoVM has no device.
     */
    public static ResidentForward create(Llama model, int blockSize, int poolBlocks) {
        return new DeviceForward(model, Capacity.forEngine(model.config(), blockSize, poolBlocks));
    }

    /**
     * Runs {@code batch} (addresses must be block tables into this pool) through every layer and returns the greedy
     * token of each logit row, chunk after chunk as in {@link servelab.kernels.model.Logits}.
     */
    public int[] step(List<SequenceChunk> batch) {
        return step(batch, config.layers(), false).tokens();
    }

    @Override
    public Step step(List<SequenceChunk> batch, int layers, Draws draws, boolean withLogits) {
        if (layers < 1 || layers > config.layers()) {
            throw new IllegalArgumentException("a step runs 1.." + config.layers() + " layers, asked for " + layers);
        }
        meta.checkChunks(batch, config);   // before any run: a refused step changes nothing
        int totalRows = 0;
        var firstRow = new int[batch.size() + 1];
        for (int s = 0; s < batch.size(); s++) {
            firstRow[s] = totalRows;
            totalRows += batch.get(s).logitTokens();
        }
        firstRow[batch.size()] = totalRows;
        if (draws != null) checkDraws(draws, totalRows);
        if (draws != null && draws.verify() != null) checkVerifications(batch, draws.verify());
        var tokens = new int[totalRows];
        float[] values = withLogits ? new float[totalRows * config.vocabularySize()] : null;
        int[][] verified = draws != null && draws.verify() != null ? new int[batch.size()][] : null;
        int done = 0;
        for (var run : Runs.of(batch, capacity)) {
            int rows = meta.fill(run, config, layers);
            meta.fillDraws(draws, done, rows);
            int[] verifiedChunks = meta.fillVerifications(batch, firstRow, draws, done, rows);
            resizeGrids();
            var result = runForward();
            ran = true;
            for (int i = 0; i < rows; i++) {
                tokens[done + i] = ids.get(i);
            }
            if (verifiedChunks.length > 0) {
                result.transferToHost(new DataRange(verifyOut).withSize((long) verifiedChunks.length
                        * VerifyKernels.VERIFY_STRIDE));
                for (int v = 0; v < verifiedChunks.length; v++) {
                    int at = v * VerifyKernels.VERIFY_STRIDE;
                    var kept = new int[verifyOut.get(at) + 1];
                    for (int j = 0; j < kept.length; j++) kept[j] = verifyOut.get(at + 1 + j);
                    verified[verifiedChunks[v]] = kept;
                }
            }
            if (withLogits && rows > 0) {
                int floats = rows * config.vocabularySize();
                result.transferToHost(new DataRange(logits).withSize(floats));
                MemorySegment.copy(logits.getSegment(), ValueLayout.JAVA_FLOAT, 0, values,
                        done * config.vocabularySize(), floats);
            }
            done += rows;
        }
        return new Step(tokens, withLogits ? new Logits(values, config.vocabularySize(), firstRow) : null, verified);
    }

    /** Throws, naming the row, for draws the kernel cannot take. */
    private static void checkDraws(Draws draws, int rows) {
        if (draws.params().length != rows) {
            throw new IllegalArgumentException("draws for " + draws.params().length + " rows; the step has " + rows
                    + " logit rows");
        }
        for (int r = 0; r < rows; r++) {
            var p = draws.params()[r];
            if (p != null && !p.isGreedy() && !ResidentForward.drawable(p)) {
                throw new IllegalArgumentException("logit row " + r + ": a device draw takes a top-k of 1.."
                        + MAX_DRAW_TOP_K + " or none; got " + p);
            }
        }
    }

    /** Throws, naming the chunk, for a device verification the kernel cannot take. */
    private static void checkVerifications(List<SequenceChunk> batch, Verify[] verify) {
        if (verify.length != batch.size()) {
            throw new IllegalArgumentException(verify.length + " verification entries for " + batch.size() + " chunks");
        }
        for (int s = 0; s < batch.size(); s++) {
            if (verify[s] == null) continue;
            int k = batch.get(s).tokens().length - 1;
            if (k < 1 || k > MAX_VERIFY_DRAFTS || batch.get(s).logitTokens() != k + 1 || verify[s].uniforms().length != k + 1
                    || !(verify[s].temperature() > 0)) {
                throw new IllegalArgumentException("batch entry " + s + " (" + batch.get(s).kv() + "): a device "
                        + "verification takes 1.." + MAX_VERIFY_DRAFTS + " drafts with a logit row and a uniform each "
                        + "and one more, at a temperature above 0; got " + k + " drafts, " + batch.get(s).logitTokens()
                        + " logit rows, " + verify[s].uniforms().length + " uniforms, temperature "
                        + verify[s].temperature());
            }
        }
    }

    /** {@value #SPLITS_PROPERTY}, checked: a whole number from 1 to 64. */
    static int maxSplits() {
        String value = System.getProperty(SPLITS_PROPERTY, "16").trim();
        try {
            int n = Integer.parseInt(value);
            if (n >= 1 && n <= 64) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-D" + SPLITS_PROPERTY + " must be a whole number from 1 to 64 (1: never "
                + "split), was '" + value + "'");
    }

    /** Runs the forward step's graphs in order; returns the last one's result (the logits' and verifications'). */
    private TornadoExecutionResult runForward() {
        TornadoExecutionResult result = null;
        for (int g = 0; g < forwardGraphs; g++) {
            result = plan.withGraph(g).execute();
        }
        return result;
    }

    /** Sizes the per-token and per-row grids to the counts {@link StepMetadata#fill} just wrote (at least one group). */
    private void resizeGrids() {
        for (var g : sizedGrids) {
            int units = g.layer() == LayerTasks.VERIFICATIONS ? meta.verifications()
                    : g.layer() < 0 ? meta.logitRows() : meta.counts.get(StepMetadata.layerSlot(g.layer()));
            units = switch (g.splits()) {
                case NONE -> units;
                case TIMES -> units * meta.splits();
                case ONLY_SPLIT -> meta.splits() > 1 ? units : 0;
            };
            g.grid().setGlobalWork((long) Math.max(1, units) * g.perUnit() * GroupKernels.WG, 1, 1);
        }
    }

    @Override
    public void read(int[] blocks, int[] slots, float[][] keys, float[][] values) {
        swap(blocks, slots, keys, values, true);
    }

    @Override
    public void write(int[] blocks, int[] slots, float[][] keys, float[][] values) {
        swap(blocks, slots, keys, values, false);
    }

    /**
     * Runs a swap graph ({@link SwapGraph}) over {@code blocks}: out of the pool into the host slots
     * ({@code toHost}), or from them into the pool. The pool's device copy is made by the forward graph's first run,
     * so before any step a run with no tokens makes it (the pool is all zeros then).
     */
    private void swap(int[] blocks, int[] slots, float[][] keys, float[][] values, boolean toHost) {
        if (blocks.length != slots.length) {
            throw new IllegalArgumentException(blocks.length + " blocks but " + slots.length + " host slots");
        }
        if (keys.length != config.layers() || values.length != config.layers()) {
            throw new IllegalArgumentException("host blocks need one array per layer (" + config.layers() + "), got "
                    + keys.length + " and " + values.length);
        }
        for (int block : blocks) {
            if (block < 0 || block >= capacity.poolBlocks()) {
                throw new IllegalArgumentException("block " + block + " is outside the device pool of "
                        + capacity.poolBlocks());
            }
        }
        if (!ran) {
            meta.fill(List.of(), config, 0);
            resizeGrids();
            runForward();
            ran = true;
        }
        swaps.copy(plan, forwardGraphs, blocks, slots, keys, values, toHost);
    }

    @Override
    public int blockFloats() {
        return blockFloats;
    }

    @Override
    public int maxContext() {
        return capacity.maxContext();
    }

    @Override
    public String describe() {
        return "TornadoVM " + device + " (the whole forward step; weights and KV pool resident)";
    }

    public Capacity capacity() {
        return capacity;
    }

    /** The attention splits of the last run ({@link StepMetadata#splitsFor}); for tests. */
    int lastRunSplits() {
        return meta.splits();
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("TornadoVM could not free the forward plan's device memory", e);
        }
    }

    /** Device-only activations for {@code capacity.tokens()} tokens, token after token as in the CPU forward. */
    static final class Activations {
        final FloatArray x, xb, xb2, q, k, v, attention, partials, gate, up, logitInput, keys, values, cos, sin;
        final IntArray identity;

        Activations(Llama model, Capacity cap) {
            var c = model.config();
            int n = cap.tokens();
            x = new FloatArray(n * c.dim());
            xb = new FloatArray(n * c.dim());
            xb2 = new FloatArray(n * c.dim());
            q = new FloatArray(n * c.qDim());
            k = new FloatArray(n * c.kvDim());
            v = new FloatArray(n * c.kvDim());
            attention = new FloatArray(n * c.qDim());
            partials = new FloatArray(StepMetadata.SPLIT_ROWS * c.heads() * (c.headDim() + 2));
            gate = new FloatArray(n * c.ffnDim());
            up = new FloatArray(n * c.ffnDim());
            logitInput = new FloatArray(cap.logitRows() * c.dim());
            long pool = (long) c.layers() * cap.poolBlocks() * c.kvHeads() * cap.blockSize() * c.headDim();
            if (pool > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a KV pool of " + cap.poolBlocks() + " blocks needs " + pool
                        + " floats per tensor, over one device array's 2^31");
            }
            keys = new FloatArray((int) pool);
            values = new FloatArray((int) pool);
            identity = new IntArray(n);
            for (int i = 0; i < n; i++) identity.set(i, i);
            var tables = RopeTables.of(model, cap.maxContext());
            cos = tables[0];
            sin = tables[1];
        }

        /** What every layer's tasks read or write (all but {@link #logitInput}, which only the logits' tasks use). */
        Object[] layers() {
            return new Object[] {x, xb, xb2, q, k, v, attention, partials, gate, up, keys, values, cos, sin, identity};
        }

    }
}

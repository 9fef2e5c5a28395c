package servelab.kernels.tornado;

import java.util.List;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.model.Config;
import servelab.kernels.model.Llama;
import servelab.kernels.model.SequenceChunk;

/**
 * A whole forward step on one TornadoVM device with everything resident there: the weights go over once, the KV
 * pool lives on the device addressed by the engine's block ids, and a step uploads only its metadata (token ids,
 * positions, block tables, which rows want logits, in {@link StepMetadata}) and downloads only the greedy token of
 * each logit row (logits on request, {@link #logits}). One task graph runs all layers; it is built once for a
 * {@link Capacity}, and every step of up to that many tokens reuses the compiled kernels.
 *
 * <p>Prefill chunks, decodes and verification chunks are all the same here: every token attends to positions
 * {@code 0..its own} of its sequence, after the whole batch's keys and values are stored ({@link servelab.kernels.model.Forward}'s order).
 * Not done here: the engine's block copies (copy-on-write) and swaps to the host tier need a second graph over the
 * same pool, so the engine does not use this class yet (see kernels/README.md). Not thread-safe.
 */
public final class DeviceForward implements AutoCloseable {
    private static final String GRAPH = "forward";

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
            if ((long) maxBlocks * blockSize > GroupKernels.MAX_CONTEXT) {
                throw new IllegalArgumentException(maxBlocks + " blocks of " + blockSize + " positions exceed the "
                        + GroupKernels.MAX_CONTEXT + " positions device attention holds per sequence");
            }
        }

        int maxContext() {
            return maxBlocks * blockSize;
        }
    }

    private final Config config;
    private final Capacity capacity;
    private final StepMetadata meta;
    private final IntArray ids;
    private final FloatArray logits;
    private final TornadoExecutionPlan plan;
    private uk.ac.manchester.tornado.api.TornadoExecutionResult last;

    public DeviceForward(Llama model, Capacity capacity) {
        this.config = model.config();
        this.capacity = capacity;
        var c = config;
        if (capacity.maxContext() > c.contextLength()) {
            throw new IllegalArgumentException("Capacity allows " + capacity.maxContext() + " positions, the model "
                    + c.contextLength());
        }
        this.meta = new StepMetadata(capacity);
        this.ids = new IntArray(capacity.logitRows());
        this.logits = new FloatArray(capacity.logitRows() * c.vocabularySize());
        var weights = DeviceWeights.of(model.weights());
        var a = new Activations(model, capacity);
        var graph = new TaskGraph(GRAPH);
        // every transfer is declared before the first task that reads it
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, weights.all());
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, a.all());
        graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, logits, ids);
        graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, meta.all());
        var grids = new GridScheduler();
        var layerTasks = new LayerTasks(GRAPH, graph, grids, new KernelContext(), weights, a, meta, c, capacity);
        weights.embed(graph, "embed", model.weights().tokenEmbedding(), meta.tokens, a.x, meta.counts, capacity.tokens());
        for (int l = 0; l < c.layers(); l++) {
            layerTasks.add(l, model.weights().layers().get(l));
        }
        layerTasks.logits(model.weights(), logits, ids);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, ids);
        graph.transferToHost(DataTransferMode.UNDER_DEMAND, logits);
        this.plan = DeviceChoice.apply(new TornadoExecutionPlan(graph.snapshot()).withGridScheduler(grids));
    }

    /**
     * Runs {@code batch} (addresses must be block tables into this pool) and returns the greedy token of each logit
     * row, chunk after chunk as in {@link servelab.kernels.model.Logits}.
     */
    public int[] step(List<SequenceChunk> batch) {
        int rows = meta.fill(batch, config);
        last = plan.execute();
        var result = new int[rows];
        for (int i = 0; i < rows; i++) {
            result[i] = ids.get(i);
        }
        return result;
    }

    /** The logits of the last step's logit rows ({@code rows x vocabulary}), brought back from the device now. */
    public float[] logits() {
        if (last == null) {
            throw new IllegalStateException("no step has run");
        }
        last.transferToHost(logits);
        int rows = meta.logitRows();
        var out = new float[rows * config.vocabularySize()];
        for (int i = 0; i < out.length; i++) {
            out[i] = logits.get(i);
        }
        return out;
    }

    public Capacity capacity() {
        return capacity;
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
        final FloatArray x, xb, xb2, q, k, v, attention, gate, up, logitInput, keys, values, cos, sin;
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

        Object[] all() {
            return new Object[] {x, xb, xb2, q, k, v, attention, gate, up, logitInput, keys, values, cos, sin, identity};
        }

    }
}

package servelab.kernels.tornado;

import java.util.ArrayList;
import java.util.List;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.model.Config;
import servelab.kernels.model.Weights;

/**
 * Adds one transformer block's tasks to the forward graph, in {@link servelab.kernels.model.Forward}'s order:
 * norm, q/k/v, RoPE, KV store, attention (and the merge of its splits), output projection and residual, norm, gate/up, SwiGLU, down and residual.
 * Work-group kernels get a grid of one {@link GroupKernels#WG}-thread group per row/token/head: the matmuls per weight
 * row; the norms, attention (per head, and per split when the run is split) and argmax per token or logit row of the run ({@link #sizedGrids}, resized before each
 * run; at least one group, which finds a count of 0 and writes nothing).
 */
final class LayerTasks {
    private final String graphName;
    private final TaskGraph graph;
    private final GridScheduler grids;
    private final KernelContext ctx;
    private final DeviceWeights weights;
    private final DeviceForward.Activations a;
    private final StepMetadata meta;
    private final Config c;
    private final DeviceForward.Capacity cap;

    LayerTasks(String graphName, TaskGraph graph, GridScheduler grids, KernelContext ctx, DeviceWeights weights,
               DeviceForward.Activations a, StepMetadata meta, Config c, DeviceForward.Capacity cap) {
        this.graphName = graphName;
        this.graph = graph;
        this.grids = grids;
        this.ctx = ctx;
        this.weights = weights;
        this.a = a;
        this.meta = meta;
        this.c = c;
        this.cap = cap;
    }

    /**
     * A grid sized per run to what the run has: {@code perUnit} groups per token of layer {@code layer}'s count, per
     * logit row ({@code layer == -1}) or per verification ({@link #VERIFICATIONS}), times the run's attention splits
     * ({@link Splits#TIMES}), or only when the run is split ({@link Splits#ONLY_SPLIT}).
     */
    record SizedGrid(WorkerGrid1D grid, int layer, int perUnit, Splits splits) {}

    /** How a grid depends on the run's attention splits ({@link StepMetadata#splitsFor}). */
    enum Splits { NONE, TIMES, ONLY_SPLIT }

    /** The {@link SizedGrid#layer} of a grid sized per verification. */
    static final int VERIFICATIONS = -2;

    private final List<SizedGrid> sized = new ArrayList<>();

    /** The grids {@link DeviceForward} resizes before each run, so that no group is launched for nothing. */
    List<SizedGrid> sizedGrids() {
        return sized;
    }

    private WorkerGrid1D groups(String task, int groups) {
        var grid = new WorkerGrid1D(groups * GroupKernels.WG);
        grid.setLocalWork(GroupKernels.WG, 1, 1);
        grids.addWorkerGrid(graphName + "." + task, grid);
        return grid;
    }

    private void groupsPer(String task, int capacityUnits, int layer, int perUnit) {
        groupsPer(task, capacityUnits, layer, perUnit, Splits.NONE);
    }

    private void groupsPer(String task, int capacityUnits, int layer, int perUnit, Splits splits) {
        sized.add(new SizedGrid(groups(task, capacityUnits * perUnit), layer, perUnit, splits));
    }

    void add(int l, Weights.Layer w) {
        String p = "l" + l + "_";
        int n = cap.tokens();
        int layerOffset = l * cap.poolBlocks() * c.kvHeads() * cap.blockSize() * c.headDim();
        int slot = StepMetadata.layerSlot(l);   // this layer's token count: 0 past a layer-skip draft's layers
        graph.task(p + "attnNorm", GroupKernels::rmsNorm, ctx, a.xb, a.x, weights.vector(w.attentionNorm()), a.identity,
                meta.counts, slot, c.dim(), c.rmsEps());
        groupsPer(p + "attnNorm", n, l, 1);
        matmul(p + "q", w.wq(), a.xb, a.q, slot);
        matmul(p + "k", w.wk(), a.xb, a.k, slot);
        matmul(p + "v", w.wv(), a.xb, a.v, slot);
        graph.task(p + "ropeQ", StepKernels::rope, a.q, a.cos, a.sin, meta.positions, meta.counts, slot, n, c.heads(),
                c.headDim());
        graph.task(p + "ropeK", StepKernels::rope, a.k, a.cos, a.sin, meta.positions, meta.counts, slot, n, c.kvHeads(),
                c.headDim());
        graph.task(p + "storeKv", StepKernels::storeKv, a.k, a.v, a.keys, a.values, meta.positions, meta.tableRows,
                meta.blockTables, meta.counts, slot, n, layerOffset, c.kvHeads(), c.headDim(), cap.blockSize(),
                meta.tableStarts);
        int splitSlot = StepMetadata.splitSlot(c.layers());
        graph.task(p + "attention", AttentionKernels::attention, ctx, a.q, a.keys, a.values, a.attention, a.partials,
                meta.positions, meta.tableRows, meta.blockTables, meta.counts, slot, splitSlot, layerOffset, c.heads(),
                c.kvHeads(), c.headDim(), cap.blockSize(), meta.tableStarts);
        // the grid is as large as the capacity (the runs that split have few tokens), and resized per run
        sized.add(new SizedGrid(groups(p + "attention", Math.max(n, StepMetadata.SPLIT_ROWS) * c.heads()), l, c.heads(),
                Splits.TIMES));
        graph.task(p + "combine", AttentionKernels::combine, ctx, a.partials, a.attention, meta.counts, slot, splitSlot,
                c.heads(), c.headDim());
        groupsPer(p + "combine", n, l, c.heads(), Splits.ONLY_SPLIT);
        matmul(p + "o", w.wo(), a.attention, a.xb2, slot);
        graph.task(p + "residual1", StepKernels::add, a.x, a.xb2, meta.counts, slot, n, c.dim());
        graph.task(p + "ffnNorm", GroupKernels::rmsNorm, ctx, a.xb, a.x, weights.vector(w.ffnNorm()), a.identity,
                meta.counts, slot, c.dim(), c.rmsEps());
        groupsPer(p + "ffnNorm", n, l, 1);
        matmul(p + "gate", w.gate(), a.xb, a.gate, slot);
        matmul(p + "up", w.up(), a.xb, a.up, slot);
        graph.task(p + "swiGlu", StepKernels::swiGlu, a.gate, a.up, meta.counts, slot, n, c.ffnDim());
        matmul(p + "down", w.down(), a.gate, a.xb2, slot);
        graph.task(p + "residual2", StepKernels::add, a.x, a.xb2, meta.counts, slot, n, c.dim());
    }

    /**
     * Final norm of the rows that want logits, the classifier, the greedy token of each row, the draw of the rows
     * with a temperature in place of it, and the rejection sampling of the verifications on the device.
     */
    void logits(Weights w, FloatArray logits, IntArray ids, IntArray verifyOut) {
        graph.task("outputNorm", GroupKernels::rmsNorm, ctx, a.logitInput, a.x, weights.vector(w.outputNorm()),
                meta.logitRows, meta.counts, 1, c.dim(), c.rmsEps());
        groupsPer("outputNorm", cap.logitRows(), -1, 1);
        weights.matmul(graph, "classifier", ctx, w.classifier(), a.logitInput, logits, meta.counts, 1);
        groups("classifier", w.classifier().rows());
        graph.task("argmax", GroupKernels::argmax, ctx, logits, ids, meta.counts, c.vocabularySize());
        groupsPer("argmax", cap.logitRows(), -1, 1);
        graph.task("sample", SamplingKernels::sample, ctx, logits, meta.uniforms, meta.rowParams, ids, meta.counts,
                c.vocabularySize());
        groupsPer("sample", cap.logitRows(), -1, 1);
        graph.task("verify", VerifyKernels::verifyTemperature, ctx, logits, meta.verifyMeta, meta.verifyFloats,
                verifyOut, c.vocabularySize());
        groupsPer("verify", cap.sequences(), VERIFICATIONS, 1);
    }

    private void matmul(String name, servelab.kernels.matmul.Matrix m, FloatArray x, FloatArray out, int slot) {
        weights.matmul(graph, name, ctx, m, x, out, meta.counts, slot);
        groups(name, m.rows());
    }
}

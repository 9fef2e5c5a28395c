package servelab.kernels.tornado;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.model.Llama;

/**
 * The forward step as a chain of task graphs, {@value #LAYERS_PER_GRAPH} layers each, run in order: the first also
 * sends the step's metadata (every run) and embeds the tokens, the last also makes the logits and samples. Each graph
 * sends its own layers' weights once and takes the activations, the KV pool and the layers' metadata from the graph
 * before it on the device ({@code consumeFromDevice}), so nothing goes back and forth between graphs; the last
 * graph sends what only the logits' tasks use (the sampling metadata every run, the logit buffers once).
 *
 * <p>Why a chain: TornadoVM 5.2 writes a task graph's high-level bytecode into a fixed 8 KiB buffer
 * ({@code TornadoTaskGraph.highLevelCode}, no option raises it), and one graph of a whole model overflowed it from
 * 12 layers on ({@code BufferOverflowException} while adding a task), so a 16-layer Llama 3.2 1B could not be
 * planned at all. GPULlama3.java builds one graph per layer for the same reason.
 */
final class ForwardGraphs {
    /** Layers per graph: about 17 tasks each; 8 layers fitted in the 8 KiB buffer and 12 did not. */
    static final int LAYERS_PER_GRAPH = 4;

    /**
     * @param graphs     the chain's graphs, in the order a run executes them
     * @param sizedGrids the grids {@link DeviceForward} resizes before each run
     * @param last       the last graph's name (the swap graphs take the KV pool from it)
     */
    record Chain(List<ImmutableTaskGraph> graphs, List<LayerTasks.SizedGrid> sizedGrids, String last) {}

    private ForwardGraphs() {}

    static Chain build(Llama model, DeviceForward.Capacity capacity, DeviceWeights weights, DeviceForward.Activations a,
                       StepMetadata meta, FloatArray logits, IntArray ids, IntArray verifyOut, GridScheduler grids) {
        var c = model.config();
        var w = model.weights();
        var ctx = new KernelContext();
        Object embedding = weights.array(w.tokenEmbedding());
        boolean tied = weights.array(w.classifier()) == embedding;   // one array for both
        // what every graph's layers use, taken from the graph before and passed on: a graph passes on only arrays
        // its own tasks use (TornadoVM 5.2 allocates no device buffer for an array a graph only passes through)
        Object[] passed = Stream.of(a.layers(), meta.layers()).flatMap(Arrays::stream).toArray();
        int count = Math.max(1, (c.layers() + LAYERS_PER_GRAPH - 1) / LAYERS_PER_GRAPH);
        var graphs = new ArrayList<ImmutableTaskGraph>();
        var sized = new ArrayList<LayerTasks.SizedGrid>();
        String previous = null;
        for (int g = 0; g < count; g++) {
            String name = "forward" + g;
            boolean first = g == 0;
            boolean last = g == count - 1;
            var graph = new TaskGraph(name);
            // every transfer is declared before the first task that reads it
            if (first) {
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, embedding);
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, a.layers());
                graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, meta.layers());
                graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, meta.tokens);
            } else {
                graph.consumeFromDevice(previous, passed);
            }
            if (last) {   // what only the logits' tasks use, sent by their graph
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, a.logitInput, logits, ids, verifyOut);
                graph.transferToDevice(DataTransferMode.EVERY_EXECUTION, meta.sampling());
            }
            int from = g * LAYERS_PER_GRAPH;
            int to = Math.min(c.layers(), from + LAYERS_PER_GRAPH);
            for (int l = from; l < to; l++) {
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, weights.layer(w.layers().get(l)));
            }
            if (last) {
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, weights.vector(w.outputNorm()));
                // a tied classifier is the embedding's array: the last graph sends its own copy (taking it from the
                // first graph failed, TornadoVM 5.2 found no device buffer for it), so it is on the device twice
                if (!(tied && first)) {
                    graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, weights.array(w.classifier()));
                }
            }
            var tasks = new LayerTasks(name, graph, grids, ctx, weights, a, meta, c, capacity);
            if (first) {
                weights.embed(graph, "embed", w.tokenEmbedding(), meta.tokens, a.x, meta.counts, capacity.tokens());
            }
            for (int l = from; l < to; l++) {
                tasks.add(l, w.layers().get(l));
            }
            if (last) {
                tasks.logits(w, logits, ids, verifyOut);
                graph.transferToHost(DataTransferMode.EVERY_EXECUTION, ids);
                graph.transferToHost(DataTransferMode.UNDER_DEMAND, logits, verifyOut);
                graph.persistOnDevice(a.keys, a.values);   // the swap graphs work on the same device pool
            } else {
                graph.persistOnDevice(passed);
            }
            sized.addAll(tasks.sizedGrids());
            graphs.add(graph.snapshot());
            previous = name;
        }
        return new Chain(graphs, sized, previous);
    }
}

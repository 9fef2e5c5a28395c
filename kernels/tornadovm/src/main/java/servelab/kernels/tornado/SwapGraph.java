package servelab.kernels.tornado;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import uk.ac.manchester.tornado.api.DataRange;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The swap graphs of a {@link DeviceForward} plan: they copy KV blocks between the forward graph's device pool
 * (consumed from that graph, never copied whole) and the host, up to {@link #BLOCKS} blocks per run, through staging
 * arrays laid out block after block, layer after layer. One graph per direction, so that a run moves only its own
 * direction's data: the swap-out graph gathers ({@link StepKernels#gatherBlocks}) and brings back only the staged
 * blocks it gathered (a partial transfer); the swap-in graph sends its staging arrays and scatters them
 * ({@link StepKernels#scatterBlocks}). (One graph for both used to send both directions' whole staging arrays every
 * run: 32 MB for a one-block swap of the 1B shape, where the swap-out now brings back 1 MB.)
 */
final class SwapGraph {
    /** Blocks one run of the graph copies each way (more run it again). */
    static final int BLOCKS = 16;

    private final IntArray swaps = new IntArray(2 + 2 * BLOCKS);
    private final FloatArray outKeys, outValues, inKeys, inValues;
    private final int layers;
    private final int blockFloats;
    private final TaskGraph out;
    private final TaskGraph in;

    /**
     * The graphs {@code name + "Out"} and {@code name + "In"} over {@code keys} and {@code values}, which graph
     * {@code poolGraph} keeps on the device.
     */
    SwapGraph(String name, String poolGraph, FloatArray keys, FloatArray values, int layers, int layerStride,
              int blockFloats) {
        this.layers = layers;
        this.blockFloats = blockFloats;
        int staged = BLOCKS * layers * blockFloats;
        outKeys = new FloatArray(staged);
        outValues = new FloatArray(staged);
        inKeys = new FloatArray(staged);
        inValues = new FloatArray(staged);
        out = new TaskGraph(name + "Out")
                .consumeFromDevice(poolGraph, keys, values)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, swaps)
                .task("gather", StepKernels::gatherBlocks, keys, values, outKeys, outValues, swaps, BLOCKS, layers,
                        layerStride, blockFloats)
                .transferToHost(DataTransferMode.UNDER_DEMAND, outKeys, outValues);
        in = new TaskGraph(name + "In")
                .consumeFromDevice(poolGraph, keys, values)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, swaps, inKeys, inValues)
                .task("scatter", StepKernels::scatterBlocks, keys, values, inKeys, inValues, swaps, BLOCKS, layers,
                        layerStride, blockFloats);
    }

    /** The swap-out graph's and the swap-in graph's snapshots, in that order (their indices in the plan). */
    ImmutableTaskGraph[] graphs() {
        return new ImmutableTaskGraph[] {out.snapshot(), in.snapshot()};
    }

    /**
     * Copies pool blocks {@code blocks[i]} to host slots {@code slots[i]} of {@code keys[l]} and {@code values[l]}
     * ({@code toHost}: graph {@code outIndex} of {@code plan}), or the slots into the blocks (graph
     * {@code outIndex + 1}), running the graph as often as needed.
     */
    void copy(TornadoExecutionPlan plan, int outIndex, int[] blocks, int[] slots, float[][] keys, float[][] values,
              boolean toHost) {
        for (int from = 0; from < blocks.length; from += BLOCKS) {
            int n = Math.min(BLOCKS, blocks.length - from);
            swaps.set(0, toHost ? n : 0);
            swaps.set(1, toHost ? 0 : n);
            for (int j = 0; j < n; j++) {
                swaps.set(2 + (toHost ? 0 : BLOCKS) + j, blocks[from + j]);
                if (!toHost) stage(slots[from + j], j, keys, values, true);
            }
            if (!toHost) {
                plan.withGraph(outIndex + 1).execute();
                continue;
            }
            var result = plan.withGraph(outIndex).execute();
            long staged = (long) n * layers * blockFloats;   // the gathered blocks only
            result.transferToHost(new DataRange(outKeys).withSize(staged));
            result.transferToHost(new DataRange(outValues).withSize(staged));
            for (int j = 0; j < n; j++) stage(slots[from + j], j, keys, values, false);
        }
    }

    /** Host slot {@code slot} into staged block {@code j} ({@code in}), or staged block {@code j} out to the slot. */
    private void stage(int slot, int j, float[][] keys, float[][] values, boolean in) {
        for (int l = 0; l < layers; l++) {
            long at = (long) (j * layers + l) * blockFloats * Float.BYTES;
            int host = slot * blockFloats;
            if (in) {
                MemorySegment.copy(keys[l], host, inKeys.getSegment(), ValueLayout.JAVA_FLOAT, at, blockFloats);
                MemorySegment.copy(values[l], host, inValues.getSegment(), ValueLayout.JAVA_FLOAT, at, blockFloats);
            } else {
                MemorySegment.copy(outKeys.getSegment(), ValueLayout.JAVA_FLOAT, at, keys[l], host, blockFloats);
                MemorySegment.copy(outValues.getSegment(), ValueLayout.JAVA_FLOAT, at, values[l], host, blockFloats);
            }
        }
    }
}

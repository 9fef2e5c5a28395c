package servelab.kernels.tornado;

import java.util.SplittableRandom;
import java.util.function.Consumer;

import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/** Runs one task on the TornadoVM device: inputs over, the task, outputs back. For the kernel tests. */
final class OnDevice {
    /** A fresh context per plan: TornadoVM keeps per-plan device state for it, freed when the plan closes. */
    static KernelContext ctx() {
        return new KernelContext();
    }

    private static final java.util.List<TornadoExecutionPlan> PLANS = new java.util.ArrayList<>();

    private OnDevice() {}

    /**
     * Runs the task {@code "t"} that {@code task} adds; {@code groups > 0} gives it that many work-groups. Outputs go
     * to the device first too, as in the forward graph (every array there is sent once).
     */
    static void run(Object[] inputs, Object[] outputs, int groups, Consumer<TaskGraph> task) {
        var all = new java.util.LinkedHashSet<Object>(java.util.Arrays.asList(inputs));
        all.addAll(java.util.Arrays.asList(outputs));
        var graph = new TaskGraph("g").transferToDevice(DataTransferMode.FIRST_EXECUTION, all.toArray());
        task.accept(graph);
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, outputs);
        // Not closed: PoCL 3.1 crashes in LLVM (BasicBlock::dropAllReferences under clReleaseProgram) when a plan
        // holding the attention program is freed; the test JVM's exit frees everything instead.
        var plan = DeviceChoice.apply(new TornadoExecutionPlan(graph.snapshot()));
        PLANS.add(plan);
        if (groups > 0) {
            var grid = new WorkerGrid1D(groups * GroupKernels.WG);
            grid.setLocalWork(GroupKernels.WG, 1, 1);
            plan.withGridScheduler(new GridScheduler("g.t", grid));
        }
        plan.execute();
    }

    static float[] random(SplittableRandom random, int n) {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextDouble(-1, 1);
        return v;
    }

    static FloatArray floats(float[] v) {
        return FloatArray.fromArray(v);
    }

    static IntArray ints(int... v) {
        return IntArray.fromArray(v);
    }
}

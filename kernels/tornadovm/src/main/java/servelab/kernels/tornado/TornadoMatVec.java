package servelab.kernels.tornado;

import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.exceptions.TornadoExecutionPlanException;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;

/**
 * A weight matrix resident on a TornadoVM device: the weights go over once (first execution), each
 * {@link #multiply} sends the input vector and brings the output back. F32 and Q8_0 only. Close it to free the
 * device memory. Not thread-safe.
 */
public final class TornadoMatVec implements AutoCloseable {
    private final Matrix matrix;
    private final FloatArray x;
    private final FloatArray out;
    private final TornadoExecutionPlan plan;

    public TornadoMatVec(Matrix matrix) {
        this.matrix = matrix;
        this.x = new FloatArray(matrix.cols());
        this.out = new FloatArray(matrix.rows());
        var graph = new TaskGraph("matvec");
        switch (matrix.format()) {
            case F32 -> {
                var w = FloatArray.fromSegment(matrix.data());
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, w)
                        .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                        .task("f32", TornadoKernels::matVecF32, w, x, out, matrix.rows(), matrix.cols());
            }
            case Q8_0 -> {
                var w = ByteArray.fromSegment(matrix.data());
                graph.transferToDevice(DataTransferMode.FIRST_EXECUTION, w)
                        .transferToDevice(DataTransferMode.EVERY_EXECUTION, x)
                        .task("q8_0", TornadoKernels::matVecQ8_0, w, x, out, matrix.rows(), matrix.cols());
            }
            case F16, BF16, Q4_0 -> throw new IllegalArgumentException("the TornadoVM adapter runs F32 and Q8_0 matrices, not "
                    + matrix.format());
        }
        graph.transferToHost(DataTransferMode.EVERY_EXECUTION, out);
        ImmutableTaskGraph snapshot = graph.snapshot();
        this.plan = new TornadoExecutionPlan(snapshot);
    }

    /** {@code result[r] = W[r] . input}; {@code result} must hold {@code rows} floats. */
    public void multiply(float[] input, float[] result) {
        multiply(input, 0, result, 0);
    }

    /** {@code result[resultOffset + r] = W[r] . input[inputOffset ..]}. */
    public void multiply(float[] input, int inputOffset, float[] result, int resultOffset) {
        for (int c = 0; c < matrix.cols(); c++) {
            x.set(c, input[inputOffset + c]);
        }
        plan.execute();
        for (int r = 0; r < matrix.rows(); r++) {
            result[resultOffset + r] = out.get(r);
        }
    }

    public WeightFormat format() {
        return matrix.format();
    }

    @Override
    public void close() {
        try {
            plan.close();
        } catch (TornadoExecutionPlanException e) {
            throw new IllegalStateException("TornadoVM could not free the matvec plan's device memory", e);
        }
    }
}

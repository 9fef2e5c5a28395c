package servelab.kernels.tornado;

import java.util.IdentityHashMap;
import java.util.Map;

import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.types.arrays.ByteArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.ShortArray;

import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;

/**
 * The model's weight matrices as TornadoVM arrays in their file encoding (F32, F16 as raw half bits, Q8_0 blocks as
 * bytes), each made once and sent to the device once: a tied classifier shares the embedding's array. BF16 has no
 * device kernels (its decode needs a float reinterpret, which TornadoVM's OpenCL backend does not compile) and is
 * refused with a message naming the format.
 */
final class DeviceWeights {
    private final Map<Matrix, Object> arrays = new IdentityHashMap<>();
    private final Map<float[], FloatArray> vectors = new IdentityHashMap<>();

    /** Every matrix and norm of {@code w} as device arrays (throws for a format without device kernels). */
    static DeviceWeights of(servelab.kernels.model.Weights w) {
        var d = new DeviceWeights();
        d.array(w.tokenEmbedding());
        for (var l : w.layers()) {
            for (var m : java.util.List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down())) {
                d.array(m);
            }
            d.vector(l.attentionNorm());
            d.vector(l.ffnNorm());
        }
        d.vector(w.outputNorm());
        d.array(w.classifier());
        return d;
    }

    /** Whether every matrix of this format has device kernels. */
    static boolean supports(WeightFormat format) {
        return switch (format) {
            case F32, F16, Q8_0, Q4_0 -> true;
            case BF16 -> false;
        };
    }

    /** The device array of {@code m} (a copy of its bytes off the Java heap, made on first use). */
    Object array(Matrix m) {
        return arrays.computeIfAbsent(m, DeviceWeights::copy);
    }

    /** A norm vector or table as a device array. */
    FloatArray vector(float[] v) {
        return vectors.computeIfAbsent(v, FloatArray::fromArray);
    }

    /** The device arrays of layer {@code l}'s matrices and norms, for its graph's one transfer. */
    Object[] layer(servelab.kernels.model.Weights.Layer l) {
        return new Object[] {array(l.wq()), array(l.wk()), array(l.wv()), array(l.wo()), array(l.gate()), array(l.up()),
                array(l.down()), vector(l.attentionNorm()), vector(l.ffnNorm())};
    }

    private static Object copy(Matrix m) {
        return switch (m.format()) {
            case F32 -> FloatArray.fromSegment(m.data());
            case F16 -> ShortArray.fromSegment(m.data());
            case Q8_0, Q4_0 -> ByteArray.fromSegment(m.data());
            case BF16 -> throw new IllegalArgumentException("the TornadoVM device forward runs F32, F16, Q8_0 and Q4_0 "
                    + "weights, not " + m.format());
        };
    }

    /**
     * Adds the task {@code out[t] = m . x[t]} for the first {@code counts[countSlot]} rows of {@code x}, one
     * work-group per output row.
     */
    void matmul(TaskGraph graph, String name, KernelContext ctx, Matrix m, FloatArray x, FloatArray out, IntArray counts,
                int countSlot) {
        Object w = array(m);
        int rows = m.rows();
        int cols = m.cols();
        switch (m.format()) {
            case F32 -> graph.task(name, GroupKernels::matmulF32, ctx, (FloatArray) w, x, out, counts, countSlot, rows, cols);
            case F16 -> graph.task(name, GroupKernels::matmulF16, ctx, (ShortArray) w, x, out, counts, countSlot, rows, cols);
            case Q8_0 -> graph.task(name, GroupKernels::matmulQ8_0, ctx, (ByteArray) w, x, out, counts, countSlot, rows, cols);
            case Q4_0 -> graph.task(name, GroupKernels::matmulQ4_0, ctx, (ByteArray) w, x, out, counts, countSlot, rows, cols);
            case BF16 -> throw new IllegalArgumentException("no device matmul for " + m.format());
        }
    }

    /** Adds the embedding gather of {@code tokens} from {@code table} into {@code x}. */
    void embed(TaskGraph graph, String name, Matrix table, IntArray tokens, FloatArray x, IntArray counts, int capacity) {
        Object w = array(table);
        int dim = table.cols();
        switch (table.format()) {
            case F32 -> graph.task(name, StepKernels::embedF32, (FloatArray) w, tokens, x, counts, capacity, dim);
            case F16 -> graph.task(name, StepKernels::embedF16, (ShortArray) w, tokens, x, counts, capacity, dim);
            case Q8_0 -> graph.task(name, StepKernels::embedQ8_0, (ByteArray) w, tokens, x, counts, capacity, dim);
            case Q4_0 -> graph.task(name, StepKernels::embedQ4_0, (ByteArray) w, tokens, x, counts, capacity, dim);
            case BF16 -> throw new IllegalArgumentException("no device embedding for " + table.format());
        }
    }
}

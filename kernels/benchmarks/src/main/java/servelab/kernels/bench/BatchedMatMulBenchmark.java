package servelab.kernels.bench;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import servelab.kernels.Parallel;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;

/**
 * The batched matmul before and after register tiling, side by side in one run: an 8192 x 2048 matrix (the shape
 * of Llama 3.2 1B's FFN gate and up projections; 17.8 MB in Q8_0, 33.6 MB in F16) times a batch of input rows, as in
 * batched decode (8, 32) and a prefill chunk (128). {@code kernel=previous} is {@link PreviousMatMul}, {@code tiled} the
 * current {@code MatMul.vector}; both give the same bits. The score is microseconds per call; weight GB/s is the
 * matrix's bytes over that, and tokens/s of this matrix alone is the batch over it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class BatchedMatMulBenchmark {
    static final int ROWS = 8192;
    static final int COLS = 2048;

    @Param({"Q8_0", "F16"})
    public WeightFormat format;

    @Param({"8", "32", "128"})
    public int batch;

    @Param({"previous", "tiled"})
    public String kernel;

    /** Threads of the matmul pool (the caller included). */
    @Param({"1"})
    public int threads;

    private Arena arena;
    private Parallel parallel;
    private Matrix w;
    private float[] x;
    private float[] out;

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        parallel = Parallel.of(threads);
        var random = new SplittableRandom(1);
        var values = new float[ROWS * COLS];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-1, 1);
        }
        var heap = MatMul.encode(format, values, ROWS, COLS);
        var data = arena.allocate(heap.data().byteSize(), 64);
        data.copyFrom(heap.data());
        w = new Matrix(format, data, ROWS, COLS);
        x = new float[batch * COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        out = new float[batch * ROWS];
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        if (kernel.equals("previous")) {
            PreviousMatMul.vector(w, x, batch, out, parallel);
        } else {
            MatMul.vector(w, x, batch, out, parallel);
        }
        return out;
    }
}

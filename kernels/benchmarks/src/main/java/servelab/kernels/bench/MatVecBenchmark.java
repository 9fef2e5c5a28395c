package servelab.kernels.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
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
 * Matrix-vector throughput in GB/s of weights read, beside a streaming read of the same F32 buffer in the same run.
 * Every "operation" is one byte of weights, and the unit is ops/ns, so JMH's score reads directly as GB/s.
 * All matrices (64 MiB F32, 68 MiB for each Q8_0 shape) are twice the 32 MiB last-level cache of the machine these
 * results come from, so each call streams its weights from DRAM. Weights sit in native memory, as they do in a mapped GGUF file.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
public class MatVecBenchmark {
    static final int F32_ROWS = 4096;
    static final int F32_COLS = 4096;
    static final int F32_BYTES = F32_ROWS * F32_COLS * 4;
    static final int Q8_ROWS = 8192;
    static final int Q8_COLS = 8192;
    static final int Q8_BYTES = Q8_ROWS * (Q8_COLS / 32) * 34;
    static final int Q8_SHORT_ROWS = 32768;
    static final int Q8_SHORT_COLS = 2048;
    static final int Q8_SHORT_BYTES = Q8_SHORT_ROWS * (Q8_SHORT_COLS / 32) * 34;

    /** Threads of the matmul pool (the caller included). */
    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private Parallel parallel;
    private Matrix f32;
    private Matrix q8;
    private Matrix q8Short;
    private float[] x;
    private float[] out;

    @Setup
    public void setUp() {
        arena = Arena.ofShared();
        parallel = Parallel.of(threads);
        var random = new SplittableRandom(1);
        f32 = randomMatrix(WeightFormat.F32, F32_ROWS, F32_COLS, random);
        q8 = randomMatrix(WeightFormat.Q8_0, Q8_ROWS, Q8_COLS, random);
        q8Short = randomMatrix(WeightFormat.Q8_0, Q8_SHORT_ROWS, Q8_SHORT_COLS, random);
        x = new float[8 * Math.max(F32_COLS, Q8_COLS)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        out = new float[8 * Math.max(F32_ROWS, Q8_SHORT_ROWS)];
    }

    private Matrix randomMatrix(WeightFormat format, int rows, int cols, SplittableRandom random) {
        MemorySegment data = arena.allocate(rows * format.rowBytes(cols), 64);
        var row = new float[cols];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) random.nextDouble(-1, 1);
            }
            MatMul.quantize(format, row, 0, cols, data, r * format.rowBytes(cols));
        }
        return new Matrix(format, data, rows, cols);
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** Sum of the 64 MiB F32 buffer: this machine's read bandwidth, GB/s. */
    @Benchmark
    @OperationsPerInvocation(F32_BYTES)
    public float streamRead() {
        return StreamRead.sum(f32.data(), parallel);
    }

    /** 4096 x 4096 F32 times one vector, GB/s of weights. */
    @Benchmark
    @OperationsPerInvocation(F32_BYTES)
    public float[] f32MatVec() {
        MatMul.vector(f32, x, 1, out, parallel);
        return out;
    }

    /** 8192 x 8192 Q8_0 times one vector, GB/s of weights: long rows whose input (32 KiB) fills L1, like an FFN down projection. */
    @Benchmark
    @OperationsPerInvocation(Q8_BYTES)
    public float[] q8MatVec() {
        MatMul.vector(q8, x, 1, out, parallel);
        return out;
    }

    /** 32768 x 2048 Q8_0 times one vector, GB/s of weights: rows of 2048, like Llama 3.2 1B's attention and FFN up/gate. */
    @Benchmark
    @OperationsPerInvocation(Q8_SHORT_BYTES)
    public float[] q8MatVecShortRows() {
        MatMul.vector(q8Short, x, 1, out, parallel);
        return out;
    }

    /** 32768 x 2048 Q8_0 times eight vectors (a batch-8 decode), GB/s of weights (each read once for all eight). */
    @Benchmark
    @OperationsPerInvocation(Q8_SHORT_BYTES)
    public float[] q8MatMulBatch8() {
        MatMul.vector(q8Short, x, 8, out, parallel);
        return out;
    }
}

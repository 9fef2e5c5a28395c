package servelab.kernels.bench;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import servelab.kernels.Parallel;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.PackedPanels;
import servelab.kernels.matmul.WeightFormat;

/**
 * {@code MatMul.vector} on one thread, timed by the thread's CPU time rather than the wall clock: on a machine whose
 * other jobs take most of the cores, wall-clock rates mostly measure the scheduler, while weight bytes per CPU-second
 * measure the kernel (cache and memory contention from the neighbours still count). Prints the median (min-max)
 * over 20 intervals of 0.1 s after 10 for warm-up, and the bytes the thread allocated per call over those 20 (a
 * kernel that allocates has fallen back to the Vector API's Java code somewhere).
 *
 * <pre>
 *   MatMulCpuTime FORMAT ROWS COLS BATCH [tiled|previous|packed|int8]
 * </pre>
 * {@code previous} runs {@link PreviousMatMul}, the batched kernel before register tiling (default {@code tiled}, the
 * current {@code MatMul.vector}); {@code packed} runs {@link PackedPanels} (Q8_0, Q4_0, F16 and BF16; the figure is still the
 * GGUF bytes per CPU-second, so that it compares with the other kernels', though a packed Q8_0 copy is 6% larger and a Q4_0 one twice the size, or 1.11x with
 * {@code -Dservelab.packed.q4=nibbles}); {@code int8} runs {@link Int8Activations} (Q8_0 and Q4_0, batch 1, AVX-512: the
 * activations quantized to int8 as llama.cpp does, not what the engine runs). To compare with other versions, put their classes first on the class path.
 * {@code -Dservelab.bench.weightScale=S} draws the weights in {@code (-S, S)} instead of {@code (-1, 1)}.
 */
public final class MatMulCpuTime {
    /**
     * The system property that sets the weights' range, uniform in {@code (-S, S)} (default 1). {@code RandomLlama}'s
     * are in {@code sqrt(3 / cols)}, 0.038 for 2048 columns, where about one F16 weight in 600 is subnormal.
     */
    static final String WEIGHT_SCALE = "servelab.bench.weightScale";

    private MatMulCpuTime() {}

    /** {@code n} weights uniform in {@code (-scale, scale)}. */
    static float[] weights(SplittableRandom random, int n, double scale) {
        var values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (scale * random.nextDouble(-1, 1));
        }
        return values;
    }

    public static void main(String[] args) {
        var format = WeightFormat.valueOf(args[0]);
        int rows = Integer.parseInt(args[1]);
        int cols = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        String kernel = args.length > 4 ? args[4] : "tiled";
        if (!kernel.equals("tiled") && !kernel.equals("previous") && !kernel.equals("packed") && !kernel.equals("int8")) {
            throw new IllegalArgumentException("kernel must be tiled, previous, packed or int8, was " + kernel);
        }
        if (kernel.equals("int8") && batch != 1) {
            throw new IllegalArgumentException("the int8 kernel runs batch 1 only, was " + batch);
        }
        boolean previous = kernel.equals("previous");
        var random = new SplittableRandom(1);
        var values = weights(random, rows * cols, Double.parseDouble(System.getProperty(WEIGHT_SCALE, "1")));
        var heap = MatMul.encode(format, values, rows, cols);
        // native memory, as the kernels see a mapped model file
        var data = Arena.ofAuto().allocate(heap.data().byteSize(), 64);
        data.copyFrom(heap.data());
        var w = new Matrix(format, data, rows, cols);
        var packed = kernel.equals("packed") ? PackedPanels.pack(w, Arena.ofAuto(), Parallel.serial()) : null;
        var int8 = kernel.equals("int8") ? Int8Activations.pack(w, Arena.ofAuto()) : null;
        var x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        var out = new float[batch * rows];
        var cpu = ManagementFactory.getThreadMXBean();
        var memory = (com.sun.management.ThreadMXBean) cpu;
        var rates = new double[30];
        long measuredCalls = 0;
        long allocatedBefore = 0;
        for (int i = 0; i < rates.length; i++) {
            if (i == 10) {
                allocatedBefore = memory.getCurrentThreadAllocatedBytes();
            }
            long start = cpu.getCurrentThreadCpuTime();
            int calls = 0;
            do {
                if (previous) {
                    PreviousMatMul.vector(w, x, batch, out, Parallel.serial());
                } else if (int8 != null) {
                    int8.matvec(x, out);
                } else if (packed != null) {
                    packed.matmul(x, batch, out, Parallel.serial());
                } else {
                    MatMul.vector(w, x, batch, out, Parallel.serial());
                }
                calls++;
            } while (cpu.getCurrentThreadCpuTime() - start < 100_000_000L);
            rates[i] = (double) data.byteSize() * calls / (cpu.getCurrentThreadCpuTime() - start);
            if (i >= 10) {
                measuredCalls += calls;
            }
        }
        double allocatedPerCall = (double) (memory.getCurrentThreadAllocatedBytes() - allocatedBefore) / measuredCalls;
        var measured = Arrays.copyOfRange(rates, 10, rates.length);
        Arrays.sort(measured);
        System.out.printf(Locale.ROOT, "%s %d x %d batch %d %s: %.2f (%.2f-%.2f) GB of weights per CPU-second, %.0f bytes allocated per call%n",
                format, rows, cols, batch, kernel, measured[measured.length / 2], measured[0], measured[measured.length - 1],
                allocatedPerCall);
    }
}

package servelab.kernels.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.SequenceChunk;

/**
 * The same kernels as {@link MatVecBenchmark} and {@link DecodeBenchmark}, each call paired with a streaming read
 * of a 64 MiB buffer right before it, so that each ratio compares two measurements taken within milliseconds of each
 * other. On a machine shared with other jobs, JMH's separate forks see different loads minutes apart, and a ratio of
 * their medians mixes the kernel's speed with the neighbours' activity; the median of paired ratios does not.
 *
 * <p>Usage: {@code PairedBandwidth OUT.json [seconds per case]}. Writes, per case and thread count: pairs measured,
 * median kernel GB/s (or tokens/s), median streaming GB/s over the same pairs, and the median of per-pair ratios.
 */
public final class PairedBandwidth {
    private static final int STREAM_BYTES = 64 << 20;

    private PairedBandwidth() {}

    /** One measured kernel: runs once, returns the bytes of weights it read. */
    private record Case(String name, String unit, double bytesPerCall, double unitsPerCall, Runnable call) {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: PairedBandwidth OUT.json [seconds per case]");
            System.exit(2);
        }
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 15;
        var results = new ArrayList<Map<String, Object>>();
        var dir = Files.createTempDirectory("servelab-paired");
        var modelPath = dir.resolve("bench-q8_0.gguf");
        RandomLlama.write(modelPath, RandomLlama.Spec.benchmark(WeightFormat.Q8_0), 1);
        try (var arena = Arena.ofShared(); var file = GgufFile.open(modelPath)) {
            var random = new SplittableRandom(1);
            var stream = arena.allocate(STREAM_BYTES, 64);
            var f32 = randomMatrix(arena, WeightFormat.F32, 4096, 4096, random);
            var q8Long = randomMatrix(arena, WeightFormat.Q8_0, 8192, 8192, random);
            var q8Short = randomMatrix(arena, WeightFormat.Q8_0, 32768, 2048, random);
            var x = new float[8 * 8192];
            var out = new float[8 * 32768];
            var model = Llama.load(file);
            double weightBytes = file.tensors().stream().mapToLong(t -> t.data().byteSize()).sum();
            for (int threads : new int[] {1, 2}) {
                var parallel = Parallel.of(threads);
                var decode = new Decoder(model, threads);
                var cases = List.of(
                        new Case("f32MatVec 4096x4096", "GB/s", f32.data().byteSize(), f32.data().byteSize(),
                                () -> MatMul.vector(f32, x, 1, out, parallel)),
                        new Case("q8MatVec 8192x8192", "GB/s", q8Long.data().byteSize(), q8Long.data().byteSize(),
                                () -> MatMul.vector(q8Long, x, 1, out, parallel)),
                        new Case("q8MatVecShortRows 32768x2048", "GB/s", q8Short.data().byteSize(), q8Short.data().byteSize(),
                                () -> MatMul.vector(q8Short, x, 1, out, parallel)),
                        new Case("q8MatMulBatch8 32768x2048", "GB/s", q8Short.data().byteSize(), q8Short.data().byteSize(),
                                () -> MatMul.vector(q8Short, x, 8, out, parallel)),
                        new Case("decode batch 1 (136M Q8_0)", "tokens/s", weightBytes, 1, decode::one),
                        new Case("decode batch 8 (136M Q8_0)", "tokens/s", weightBytes, 8, decode::eight));
                for (var c : cases) {
                    results.add(measure(c, stream, parallel, seconds));
                }
            }
        } finally {
            Files.deleteIfExists(modelPath);
            Files.deleteIfExists(dir);
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(Path.of(args[0]).toFile(), results);
    }

    private static Map<String, Object> measure(Case c, MemorySegment stream, Parallel parallel, double seconds) {
        DoubleSupplier streamSeconds = () -> time(() -> StreamRead.sum(stream, parallel));
        // warm up both for a third of the time, then pair them
        long warmEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
        while (System.nanoTime() < warmEnd) {
            streamSeconds.getAsDouble();
            c.call().run();
        }
        var kernelRates = new ArrayList<Double>();
        var streamRates = new ArrayList<Double>();
        var ratios = new ArrayList<Double>();
        var boundRatios = new ArrayList<Double>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            double streamGbps = STREAM_BYTES / streamSeconds.getAsDouble() / 1e9;
            double kernelSeconds = time(c.call());
            double rate = c.unit().equals("GB/s") ? c.bytesPerCall() / kernelSeconds / 1e9 : c.unitsPerCall() / kernelSeconds;
            kernelRates.add(rate);
            streamRates.add(streamGbps);
            // GB/s cases: share of the streaming bandwidth; decode: share of the bandwidth bound on tokens/s
            double bound = c.unit().equals("GB/s") ? streamGbps : streamGbps * 1e9 / c.bytesPerCall() * c.unitsPerCall();
            ratios.add(rate / bound);
            boundRatios.add(bound);
        }
        var row = new LinkedHashMap<String, Object>();
        row.put("case", c.name());
        row.put("threads", parallel.threads());
        row.put("pairs", ratios.size());
        row.put("unit", c.unit());
        row.put("median", round(median(kernelRates)));
        row.put("median_stream_gb_per_s", round(median(streamRates)));
        row.put("median_bound", round(median(boundRatios)));
        row.put("median_ratio_to_bound", round(median(ratios)));
        System.out.printf(Locale.ROOT, "%-32s threads=%d pairs=%4d  %8.2f %-8s stream %6.2f GB/s  bound %8.2f  ratio %.3f%n",
                c.name(), parallel.threads(), ratios.size(), median(kernelRates), c.unit(), median(streamRates),
                median(boundRatios), median(ratios));
        return row;
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double median(List<Double> values) {
        var sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Matrix randomMatrix(Arena arena, WeightFormat format, int rows, int cols, SplittableRandom random) {
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

    /** Decode steps at position 128 of eight cached sequences, as in {@link DecodeBenchmark}. */
    private static final class Decoder {
        private final Llama model;
        private final ForwardState state;
        private final PagedKvCache cache;
        private final List<SequenceChunk> one;
        private final List<SequenceChunk> eight;

        Decoder(Llama model, int threads) {
            var c = model.config();
            this.model = model;
            this.state = new ForwardState(c, Kernels.vector(Parallel.of(threads)));
            this.cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), 16, 8 * 9);
            var random = new SplittableRandom(3);
            var prefill = new ArrayList<SequenceChunk>();
            var decodes = new ArrayList<SequenceChunk>();
            for (int s = 0; s < 8; s++) {
                var table = new int[9];
                for (int b = 0; b < 9; b++) {
                    table[b] = s * 9 + b;
                }
                var address = new KvAddress.Blocks(table);
                prefill.add(SequenceChunk.prefill(random.ints(128, 0, c.vocabularySize()).toArray(), 0, address, false));
                decodes.add(SequenceChunk.decode(random.nextInt(c.vocabularySize()), 128, address));
            }
            Forward.step(model, state, cache, prefill);
            this.one = List.of(decodes.getFirst());
            this.eight = List.copyOf(decodes);
        }

        void one() {
            Forward.step(model, state, cache, one);
        }

        void eight() {
            Forward.step(model, state, cache, eight);
        }
    }
}

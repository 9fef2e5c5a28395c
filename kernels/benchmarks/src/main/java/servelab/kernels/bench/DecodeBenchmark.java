package servelab.kernels.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.Forward;
import servelab.kernels.model.Llama;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.model.ForwardState;

/**
 * Decode tokens/s of a generated Q8_0 Llama of about 136 M parameters ({@link RandomLlama.Spec#benchmark}: 12 layers
 * of width 1024, FFN 2816, 16 heads and 4 KV heads of 64, 552-token vocabulary; 145 MB of weights, over four times the
 * last-level cache). Every sequence has 128 prompt positions cached; each step decodes one token per sequence at
 * position 128 (rewriting the same cache row), so every step does the same work. One operation is one token, so
 * JMH's ops/s is tokens/s. The bandwidth bound is weight bytes / streamRead bandwidth per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 10, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx3g"})
public class DecodeBenchmark {
    private static final int PROMPT = 128;
    private static final int SEQUENCES = 8;
    private static final int BLOCK_SIZE = 16;

    /** Threads of the kernel pool (the caller included). */
    @Param({"1", "2"})
    public int threads;

    private Path dir;
    private GgufFile file;
    private Llama model;
    private ForwardState state;
    private PagedKvCache cache;
    private List<SequenceChunk> one;
    private List<SequenceChunk> eight;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("servelab-decode-bench");
        var path = dir.resolve("bench-q8_0.gguf");
        RandomLlama.write(path, RandomLlama.Spec.benchmark(WeightFormat.Q8_0), 1);
        file = GgufFile.open(path);
        model = Llama.load(file);
        var c = model.config();
        long weightBytes = file.tensors().stream().mapToLong(t -> t.data().byteSize()).sum();
        System.err.printf("%n%d parameters, %d bytes of weights%n", c.parameters(false), weightBytes);
        state = new ForwardState(c, Kernels.vector(Parallel.of(threads)));
        int blocksPerSequence = (PROMPT + 1 + BLOCK_SIZE - 1) / BLOCK_SIZE;
        cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK_SIZE, SEQUENCES * blocksPerSequence);
        var random = new SplittableRandom(3);
        var prefill = new ArrayList<SequenceChunk>();
        var decodes = new ArrayList<SequenceChunk>();
        for (int s = 0; s < SEQUENCES; s++) {
            var table = new int[blocksPerSequence];
            for (int b = 0; b < table.length; b++) {
                table[b] = s * blocksPerSequence + b;
            }
            var address = new KvAddress.Blocks(table);
            var prompt = random.ints(PROMPT, 0, c.vocabularySize()).toArray();
            prefill.add(SequenceChunk.prefill(prompt, 0, address, false));
            decodes.add(SequenceChunk.decode(random.nextInt(c.vocabularySize()), PROMPT, address));
        }
        Forward.step(model, state, cache, prefill);
        one = List.of(decodes.getFirst());
        eight = List.copyOf(decodes);
    }

    @TearDown
    public void tearDown() throws IOException {
        file.close();
        try (var paths = Files.list(dir)) {
            for (var p : paths.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    /** One sequence: tokens/s. */
    @Benchmark
    @OperationsPerInvocation(1)
    public Object decodeBatch1() {
        return Forward.step(model, state, cache, one);
    }

    /** Eight sequences in one step: tokens/s over all eight. */
    @Benchmark
    @OperationsPerInvocation(SEQUENCES)
    public Object decodeBatch8() {
        return Forward.step(model, state, cache, eight);
    }
}

package servelab.kernels.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.ContiguousKvCache;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgmlType;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.gguf.GgufFormatException;
import servelab.kernels.gguf.GgufValue;
import servelab.kernels.gguf.GgufWriter;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.sample.Sampler;
import servelab.kernels.tokenizer.ChatTemplate;

class GenerationTest {
    private static final int NEW_TOKENS = 12;

    private static int[] chatPrompt(Llama model) {
        return ChatTemplate.encode(model.tokenizer(), List.of(ChatTemplate.Message.user("What does the scheduler do?")), true);
    }

    private static int[] greedy(Llama model, Kernels kernels, boolean paged, int prefillChunk) {
        var c = model.config();
        var cache = paged ? new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), 16, 8)
                : new ContiguousKvCache(c.layers(), c.kvHeads(), c.headDim(), 1, 128);
        KvAddress address = paged ? new KvAddress.Blocks(new int[] {3, 1, 4, 0, 5, 2, 7, 6}) : new KvAddress.Slot(0);
        return Generation.generate(model, new ForwardState(c, kernels), cache, address, chatPrompt(model), prefillChunk, NEW_TOKENS,
                Sampler.ARGMAX);
    }

    @ParameterizedTest
    @EnumSource(WeightFormat.class)
    void greedyGenerationIsIdenticalAcrossKernelVersions(WeightFormat format) {
        var model = TinyModels.of(format);
        // scalar references, contiguous cache, whole prefill; against the vector kernels on two threads, paged, chunked
        var reference = greedy(model, Kernels.reference(), false, 1000);
        assertArrayEquals(reference, greedy(model, Kernels.vector(Parallel.of(2)), true, 7), format.toString());
        assertEquals(NEW_TOKENS, reference.length, "random weights rarely pick a stop token in 12 steps");
    }

    @Test
    void greedyGenerationIsDeterministic() {
        var model = TinyModels.of(WeightFormat.Q8_0);
        var first = greedy(model, Kernels.vector(Parallel.serial()), false, 1000);
        // again on the same thread, and on two threads: the same tokens
        assertArrayEquals(first, greedy(model, Kernels.vector(Parallel.serial()), false, 1000));
        assertArrayEquals(first, greedy(model, Kernels.vector(Parallel.of(2)), false, 1000));
    }

    @Test
    void loadsTheConfigurationTokenizerAndWeightsOfAGeneratedFile() {
        var model = TinyModels.f32();
        var c = model.config();
        assertEquals(new Config(64, 2, 4, 2, 16, 128, model.tokenizer().vocabularySize(), 512, 1e-5f, 500000f), c);
        assertEquals(2, model.weights().layers().size());
        assertEquals(c.vocabularySize(), model.weights().classifier().rows());
        // rope_freqs.weight holds Llama 3.2's divisors: the highest frequency is kept, the lowest divided by 32
        assertEquals(1f, model.weights().ropeFrequencies()[0]);
        assertEquals(Math.pow(500000, -14.0 / 16) / 32, model.weights().ropeFrequencies()[7], 1e-12);
        assertTrue(model.tokenizer().decode(chatPrompt(model)).startsWith("<|begin_of_text|><|start_header_id|>user"));
    }

    @Test
    void tiedEmbeddingsUseTheTokenEmbeddingAsClassifier(@TempDir Path dir) throws IOException {
        var path = dir.resolve("tied.gguf");
        var spec = new RandomLlama.Spec(64, 1, 4, 4, 64, 64, WeightFormat.Q8_0, true, false);
        RandomLlama.write(path, spec, 7);
        try (var file = GgufFile.open(path)) {
            assertTrue(file.find("output.weight").isEmpty());
            var model = Llama.load(file);
            assertEquals(model.weights().tokenEmbedding(), model.weights().classifier());
            assertArrayEquals(greedy(model, Kernels.reference(), false, 4), greedy(model, Kernels.vector(Parallel.serial()), true, 4));
        }
    }

    @Test
    void aTensorOfAnUnsupportedTypeOrShapeIsNamed(@TempDir Path dir) throws IOException {
        var source = dir.resolve("source.gguf");
        RandomLlama.write(source, new RandomLlama.Spec(64, 1, 4, 2, 64, 64, WeightFormat.F32, false, false), 3);
        var f64 = dir.resolve("f64.gguf");
        var wrongShape = dir.resolve("shape.gguf");
        try (var file = GgufFile.open(source)) {
            copyReplacing(file, "blk.0.attn_q.weight", GgmlType.F64, new long[] {64, 64}, f64);
            copyReplacing(file, "blk.0.ffn_up.weight", GgmlType.F32, new long[] {64, 32}, wrongShape);
        }
        try (var file = GgufFile.open(f64)) {
            var error = assertThrows(GgufFormatException.class, () -> Llama.load(file));
            assertEquals(f64 + ": tensor 'blk.0.attn_q.weight' is F64; the kernels read F32, F16, BF16, Q8_0 and Q4_0 "
                    + "(requantize the file, e.g. to Q8_0)", error.getMessage());
        }
        try (var file = GgufFile.open(wrongShape)) {
            var error = assertThrows(GgufFormatException.class, () -> Llama.load(file));
            assertTrue(error.getMessage().startsWith(wrongShape + ": tensor 'blk.0.ffn_up.weight' has dims [64, 32], expected [64, 64]"),
                    error.getMessage());
        }
    }

    /** Found by fuzzing: a bad merge or head count was an IllegalArgumentException that named neither file nor key. */
    @Test
    void aMalformedTokenizerOrConfigurationIsAFormatErrorNamingTheFile(@TempDir Path dir) throws IOException {
        var source = dir.resolve("source.gguf");
        RandomLlama.write(source, new RandomLlama.Spec(64, 1, 4, 2, 64, 64, WeightFormat.F32, false, false), 3);
        var badMerge = dir.resolve("merge.gguf");
        var badHeads = dir.resolve("heads.gguf");
        try (var file = GgufFile.open(source)) {
            var merges = file.metadata().strings("tokenizer.ggml.merges").clone();
            merges[1] = merges[1].replace(' ', '_');
            copyWithMetadata(file, "tokenizer.ggml.merges", GgufValue.ofStrings(merges), badMerge);
            copyWithMetadata(file, "llama.attention.head_count_kv", GgufValue.ofUint32(3), badHeads);
        }
        try (var file = GgufFile.open(badMerge)) {
            var error = assertThrows(GgufFormatException.class, () -> Llama.load(file));
            assertTrue(error.getMessage().startsWith(badMerge + ": tokenizer.ggml.*: merge 1 is '"), error.getMessage());
        }
        try (var file = GgufFile.open(badHeads)) {
            var error = assertThrows(GgufFormatException.class, () -> Llama.load(file));
            assertEquals(badHeads + ": llama.* configuration: Config.kvHeads (3) must divide heads (4)", error.getMessage());
        }
    }

    @Test
    void keysThatDisagreeWithTheFileAreRefusedNotIgnored(@TempDir Path dir) throws IOException {
        var source = dir.resolve("source.gguf");
        RandomLlama.write(source, new RandomLlama.Spec(64, 2, 4, 2, 64, 64, WeightFormat.F32, false, false), 3);
        var vocab = dir.resolve("vocab.gguf");
        var rope = dir.resolve("rope.gguf");
        var blocks = dir.resolve("blocks.gguf");
        try (var file = GgufFile.open(source)) {
            copyWithMetadata(file, "llama.vocab_size", GgufValue.ofUint32(600), vocab);
            copyWithMetadata(file, "llama.rope.dimension_count", GgufValue.ofUint32(15), rope);
            copyWithMetadata(file, "llama.block_count", GgufValue.ofUint32(1), blocks);
        }
        try (var file = GgufFile.open(vocab)) {
            var error = assertThrows(GgufFormatException.class, () -> Llama.load(file));
            assertTrue(error.getMessage().endsWith("llama.vocab_size is 600 but the tokenizer has 552 tokens"),
                    error.getMessage());
        }
        try (var file = GgufFile.open(rope)) {
            var error = assertThrows(GgufFormatException.class, () -> Llama.load(file));
            assertTrue(error.getMessage().endsWith("llama.rope.dimension_count is 15, not the head size 16: rotary "
                    + "embedding of part of a head is not supported"), error.getMessage());
        }
        try (var file = GgufFile.open(blocks)) { // a layer would have been dropped
            var error = assertThrows(GgufFormatException.class, () -> Llama.load(file));
            assertTrue(error.getMessage().contains("is in block 1, past llama.block_count 1"), error.getMessage());
        }
    }

    @Test
    void aTensorRelabelledWithALargerTypeOverlapsTheNextAndIsRefused(@TempDir Path dir) throws IOException {
        var model = dir.resolve("model.gguf");
        RandomLlama.write(model, new RandomLlama.Spec(64, 1, 4, 2, 64, 64, WeightFormat.Q8_0, false, false), 3);
        long typeAt;
        try (var file = GgufFile.open(model)) { // the type field of attn_q's info: after name, n_dims and dims
            var t = file.tensor("blk.0.attn_q.weight");
            typeAt = t.infoOffset() + 8 + t.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 4
                    + 8L * t.dims().length;
        }
        try (var channel = java.nio.channels.FileChannel.open(model, java.nio.file.StandardOpenOption.WRITE)) {
            channel.write(java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, 0), typeAt);
        }
        // F32 is four times Q8_0's bytes: its data runs into the next tensors (the model answered token 0 everywhere)
        var error = assertThrows(GgufFormatException.class, () -> GgufFile.open(model).close());
        assertTrue(error.getMessage().contains("tensor 'blk.0.attn_q.weight' (F32, 16384 bytes from data offset")
                && error.getMessage().contains(") overlaps tensor '"), error.getMessage());
    }

    private static void copyWithMetadata(GgufFile file, String key, GgufValue value, Path target) throws IOException {
        var writer = new GgufWriter();
        file.metadata().values().forEach(writer::put);
        writer.put(key, value);
        for (var tensor : file.tensors()) writer.tensor(tensor.name(), tensor.type(), tensor.dims(), tensor.data());
        writer.write(target);
    }

    private static void copyReplacing(GgufFile file, String name, GgmlType type, long[] dims, Path target) throws IOException {
        var writer = new GgufWriter();
        file.metadata().values().forEach(writer::put);
        for (var tensor : file.tensors()) {
            if (tensor.name().equals(name)) {
                long elements = 1;
                for (long d : dims) {
                    elements *= d;
                }
                writer.tensor(name, type, dims, MemorySegment.ofArray(new byte[(int) (elements * type.blockBytes())]));
            } else {
                writer.tensor(tensor.name(), tensor.type(), tensor.dims(), tensor.data());
            }
        }
        writer.write(target);
    }
}

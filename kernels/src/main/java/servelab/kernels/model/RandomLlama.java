package servelab.kernels.model;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.SplittableRandom;

import servelab.kernels.gguf.GgmlType;
import servelab.kernels.gguf.GgufValue;
import servelab.kernels.gguf.GgufWriter;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.ops.RopeScaling;
import servelab.kernels.tokenizer.BpeTrainer;
import servelab.kernels.tokenizer.Vocabulary;

/**
 * Writes GGUF Llama models with random weights and the small real BPE vocabulary of
 * {@link BpeTrainer#sampleVocabulary()}, laid out as llama.cpp's converter lays out Llama 3 files, so tests and
 * demos need no download. Weights are uniform with variance 1/cols (activations stay near unit scale), norms are
 * near 1. The same spec and seed always give the same bytes.
 *
 * {@snippet :
 * RandomLlama.write(Path.of("tiny.gguf"), RandomLlama.Spec.tiny(WeightFormat.Q8_0), 42);
 * }
 */
public final class RandomLlama {
    /**
     * Shape and encoding of a generated model.
     *
     * @param dim            model width, a multiple of 32 (so every format's blocks fit)
     * @param layers         blocks
     * @param heads          query heads, dividing dim
     * @param kvHeads        key/value heads, dividing heads
     * @param ffnDim         feed-forward width, a multiple of 32
     * @param contextLength  maximum positions
     * @param format         encoding of every matrix (norms are always F32)
     * @param tiedEmbeddings no {@code output.weight}: the classifier is the token embedding
     * @param ropeScaling    write Llama 3.2's {@code rope_freqs.weight}
     */
    public record Spec(int dim, int layers, int heads, int kvHeads, int ffnDim, int contextLength, WeightFormat format,
                       boolean tiedEmbeddings, boolean ropeScaling) {
        public Spec {
            if (dim % 32 != 0 || ffnDim % 32 != 0 || dim <= 0 || ffnDim <= 0) {
                throw new IllegalArgumentException("Spec.dim and ffnDim must be positive multiples of 32, were " + dim + " and " + ffnDim);
            }
            if (heads <= 0 || kvHeads <= 0 || dim % heads != 0 || heads % kvHeads != 0 || (dim / heads) % 2 != 0) {
                throw new IllegalArgumentException("Spec needs heads | dim, kvHeads | heads and an even head size, got dim=" + dim
                        + " heads=" + heads + " kvHeads=" + kvHeads);
            }
            if (layers <= 0 || contextLength <= 0) {
                throw new IllegalArgumentException("Spec.layers and contextLength must be > 0");
            }
        }

        /** Two layers of width 64, 4 query and 2 KV heads of 16: tests run it in milliseconds. */
        public static Spec tiny(WeightFormat format) {
            return new Spec(64, 2, 4, 2, 128, 512, format, false, true);
        }

        /** About 136 M parameters (12 layers of width 1024, 16 heads of 64, 4 KV heads, FFN 2816): a benchmark model. */
        public static Spec benchmark(WeightFormat format) {
            return new Spec(1024, 12, 16, 4, 2816, 4096, format, false, true);
        }

        public int headDim() {
            return dim / heads;
        }
    }

    private RandomLlama() {}

    /** Writes a model of {@code spec} with weights drawn from {@code seed}. */
    public static void write(Path path, Spec spec, long seed) throws IOException {
        var vocabulary = BpeTrainer.sampleVocabulary();
        int vocab = vocabulary.size();
        int dim = spec.dim();
        int qDim = spec.heads() * spec.headDim();
        int kvDim = spec.kvHeads() * spec.headDim();
        var writer = new GgufWriter();
        metadata(writer, spec, vocabulary);
        var random = new SplittableRandom(seed);
        writer.tensor("token_embd.weight", ggml(spec.format()), new long[] {dim, vocab}, matrix(random, vocab, dim, spec.format()));
        for (int i = 0; i < spec.layers(); i++) {
            String p = "blk." + i + ".";
            norm(writer, p + "attn_norm.weight", dim, random);
            writer.tensor(p + "attn_q.weight", ggml(spec.format()), new long[] {dim, qDim}, matrix(random, qDim, dim, spec.format()));
            writer.tensor(p + "attn_k.weight", ggml(spec.format()), new long[] {dim, kvDim}, matrix(random, kvDim, dim, spec.format()));
            writer.tensor(p + "attn_v.weight", ggml(spec.format()), new long[] {dim, kvDim}, matrix(random, kvDim, dim, spec.format()));
            writer.tensor(p + "attn_output.weight", ggml(spec.format()), new long[] {qDim, dim}, matrix(random, dim, qDim, spec.format()));
            norm(writer, p + "ffn_norm.weight", dim, random);
            writer.tensor(p + "ffn_gate.weight", ggml(spec.format()), new long[] {dim, spec.ffnDim()},
                    matrix(random, spec.ffnDim(), dim, spec.format()));
            writer.tensor(p + "ffn_up.weight", ggml(spec.format()), new long[] {dim, spec.ffnDim()},
                    matrix(random, spec.ffnDim(), dim, spec.format()));
            writer.tensor(p + "ffn_down.weight", ggml(spec.format()), new long[] {spec.ffnDim(), dim},
                    matrix(random, dim, spec.ffnDim(), spec.format()));
        }
        norm(writer, "output_norm.weight", dim, random);
        if (!spec.tiedEmbeddings()) {
            writer.tensor("output.weight", ggml(spec.format()), new long[] {dim, vocab}, matrix(random, vocab, dim, spec.format()));
        }
        if (spec.ropeScaling()) {
            float[] divisors = RopeScaling.llama32().divisors(spec.headDim(), ROPE_THETA);
            writer.tensor("rope_freqs.weight", GgmlType.F32, new long[] {divisors.length}, f32(divisors));
        }
        writer.write(path);
    }

    private static final float ROPE_THETA = 500000f;

    private static void metadata(GgufWriter writer, Spec spec, Vocabulary vocabulary) {
        writer.put("general.architecture", GgufValue.ofString("llama"))
                .put("general.name", GgufValue.ofString("servelab-random-llama"))
                .put("general.file_type", GgufValue.ofUint32(fileType(spec.format())))
                .put("llama.vocab_size", GgufValue.ofUint32(vocabulary.size()))
                .put("llama.context_length", GgufValue.ofUint32(spec.contextLength()))
                .put("llama.embedding_length", GgufValue.ofUint32(spec.dim()))
                .put("llama.block_count", GgufValue.ofUint32(spec.layers()))
                .put("llama.feed_forward_length", GgufValue.ofUint32(spec.ffnDim()))
                .put("llama.rope.dimension_count", GgufValue.ofUint32(spec.headDim()))
                .put("llama.attention.head_count", GgufValue.ofUint32(spec.heads()))
                .put("llama.attention.head_count_kv", GgufValue.ofUint32(spec.kvHeads()))
                .put("llama.attention.layer_norm_rms_epsilon", GgufValue.ofFloat32(1e-5f))
                .put("llama.rope.freq_base", GgufValue.ofFloat32(ROPE_THETA));
        vocabulary.writeTo(writer);
    }

    /** llama.cpp's {@code general.file_type} for a model whose matrices are all in one format. */
    private static int fileType(WeightFormat format) {
        return switch (format) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case BF16 -> 32;
        };
    }

    private static GgmlType ggml(WeightFormat format) {
        return switch (format) {
            case F32 -> GgmlType.F32;
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            case Q8_0 -> GgmlType.Q8_0;
            case Q4_0 -> GgmlType.Q4_0;
        };
    }

    /** Uniform on [-a, a] with a = sqrt(3 / cols): variance 1/cols. */
    private static MemorySegment matrix(SplittableRandom random, int rows, int cols, WeightFormat format) {
        var data = MemorySegment.ofArray(new byte[Math.toIntExact(rows * format.rowBytes(cols))]);
        var row = new float[cols];
        double a = Math.sqrt(3.0 / cols);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) random.nextDouble(-a, a);
            }
            MatMul.quantize(format, row, 0, cols, data, r * format.rowBytes(cols));
        }
        return data;
    }

    private static void norm(GgufWriter writer, String name, int n, SplittableRandom random) {
        var weights = new float[n];
        for (int i = 0; i < n; i++) {
            weights[i] = (float) random.nextDouble(0.8, 1.2);
        }
        writer.tensor(name, GgmlType.F32, new long[] {n}, f32(weights));
    }

    private static MemorySegment f32(float[] values) {
        var data = MemorySegment.ofArray(new byte[values.length * 4]);
        MatMul.quantize(WeightFormat.F32, values, 0, values.length, data, 0);
        return data;
    }
}

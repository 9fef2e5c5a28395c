package servelab.kernels.model;

import java.util.ArrayList;
import java.util.Arrays;

import servelab.kernels.gguf.GgmlType;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.gguf.GgufFormatException;
import servelab.kernels.gguf.GgufTensor;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.Matrix;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.ops.Rope;
import servelab.kernels.tokenizer.Tokenizer;
import servelab.kernels.tokenizer.Vocabulary;

/**
 * A Llama-family model (Llama 3.x; SmolLM2 and TinyLlama share the architecture): configuration, tokenizer and
 * weights, all immutable. The weights are views of a {@link GgufFile}, which must stay open while the model is used.
 * Mutable per-step memory is a {@link ForwardState}; keys and values live in a caller-owned KV cache; a step is
 * {@link Forward#step}.
 *
 * {@snippet :
 * try (var file = GgufFile.open(Path.of("model.gguf"))) {
 *     var model = Llama.load(file);
 *     var state = new ForwardState(model.config(), Kernels.vector());
 *     var cache = new PagedKvCache(model.config().layers(), model.config().kvHeads(), model.config().headDim(), 16, 64);
 *     var prompt = model.tokenizer().encodeWithSpecials("<|begin_of_text|>Hello");
 *     var blocks = new KvAddress.Blocks(new int[] {0, 1, 2, 3});
 *     Logits logits = Forward.step(model, state, cache, List.of(SequenceChunk.prefill(prompt, 0, blocks, true)));
 *     int next = Sampler.ARGMAX.sample(logits.values(), logits.offset(0, 0), logits.vocabularySize());
 * }
 * }
 */
public record Llama(Config config, Tokenizer tokenizer, Weights weights) {
    /**
     * Reads the configuration, vocabulary and weights of a GGUF Llama model, checking every tensor's type and shape;
     * a file that is not a usable Llama model is a {@link GgufFormatException} naming the file and what is wrong.
     */
    public static Llama load(GgufFile file) {
        var tokenizer = tokenizer(file);
        var config = config(file, tokenizer.vocabularySize());
        var loader = new Loader(file, config);
        var layers = new ArrayList<Weights.Layer>();
        int dim = config.dim();
        for (int i = 0; i < config.layers(); i++) {
            String p = "blk." + i + ".";
            layers.add(new Weights.Layer(
                    loader.vector(p + "attn_norm.weight", dim),
                    loader.matrix(p + "attn_q.weight", config.qDim(), dim),
                    loader.matrix(p + "attn_k.weight", config.kvDim(), dim),
                    loader.matrix(p + "attn_v.weight", config.kvDim(), dim),
                    loader.matrix(p + "attn_output.weight", dim, config.qDim()),
                    loader.vector(p + "ffn_norm.weight", dim),
                    loader.matrix(p + "ffn_gate.weight", config.ffnDim(), dim),
                    loader.matrix(p + "ffn_up.weight", config.ffnDim(), dim),
                    loader.matrix(p + "ffn_down.weight", dim, config.ffnDim())));
        }
        for (var tensor : file.tensors()) { // blocks past llama.block_count: a wrong count would drop layers silently
            var name = tensor.name();
            if (!name.startsWith("blk.")) continue;
            int dot = name.indexOf('.', 4);
            try {
                int block = Integer.parseInt(name.substring(4, dot < 0 ? name.length() : dot));
                if (block >= config.layers()) {
                    throw new GgufFormatException(file.path() + ": tensor '" + name + "' is in block " + block
                            + ", past llama.block_count " + config.layers());
                }
            } catch (NumberFormatException ignored) {
                // not a numbered block: not ours to judge
            }
        }
        var embedding = loader.matrix("token_embd.weight", config.vocabularySize(), dim);
        var classifier = file.find("output.weight").isPresent()
                ? loader.matrix("output.weight", config.vocabularySize(), dim) : embedding;
        var frequencies = file.find("rope_freqs.weight").isPresent()
                ? Rope.frequencies(config.headDim(), config.ropeTheta(), loader.vector("rope_freqs.weight", config.headDim() / 2))
                : Rope.frequencies(config.headDim(), config.ropeTheta());
        var weights = new Weights(embedding, layers, loader.vector("output_norm.weight", dim), classifier, frequencies);
        return new Llama(config, tokenizer, weights);
    }

    /**
     * The tokenizer the file describes. The tokenizer itself says what is wrong in a vocabulary (a merge that is not
     * two tokens, a byte without a token) as IllegalArgumentException, since it is also built from vocabularies that
     * are not files; read from a file, that is a bad file, so the error names it (found by fuzzing).
     */
    private static Tokenizer tokenizer(GgufFile file) {
        try {
            return new Tokenizer(Vocabulary.fromGguf(file.metadata()));
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(file.path() + ": tokenizer.ggml.*: " + e.getMessage());
        }
    }

    /** The {@code llama.*} configuration, with Config's own range checks reported against the file, as above. */
    private static Config config(GgufFile file, int vocabularySize) {
        try {
            return Config.fromGguf(file.metadata(), vocabularySize);
        } catch (IllegalArgumentException e) {
            throw new GgufFormatException(file.path() + ": llama.* configuration: " + e.getMessage());
        }
    }

    /** Turns tensors into matrices and vectors, with errors that name the tensor and what was expected. */
    private record Loader(GgufFile file, Config config) {
        Matrix matrix(String name, int rows, int cols) {
            var tensor = file.tensor(name);
            checkDims(tensor, new long[] {cols, rows});
            return new Matrix(format(tensor), tensor.data(), rows, cols);
        }

        float[] vector(String name, int n) {
            var tensor = file.tensor(name);
            checkDims(tensor, new long[] {n});
            var values = new float[n];
            MatMul.dequantize(format(tensor), tensor.data(), 0, values, 0, n);
            return values;
        }

        private void checkDims(GgufTensor tensor, long[] expected) {
            if (!Arrays.equals(tensor.dims(), expected)) {
                throw new GgufFormatException(file.path() + ": tensor '" + tensor.name() + "' has dims "
                        + Arrays.toString(tensor.dims()) + ", expected " + Arrays.toString(expected) + " for " + config);
            }
        }

        private WeightFormat format(GgufTensor tensor) {
            return switch (tensor.type()) {
                case GgmlType.F32 -> WeightFormat.F32;
                case GgmlType.F16 -> WeightFormat.F16;
                case GgmlType.BF16 -> WeightFormat.BF16;
                case GgmlType.Q8_0 -> WeightFormat.Q8_0;
                case GgmlType.Q4_0 -> WeightFormat.Q4_0;
                default -> throw new GgufFormatException(file.path() + ": tensor '" + tensor.name() + "' is " + tensor.type()
                        + "; the kernels read F32, F16, BF16, Q8_0 and Q4_0 (requantize the file, e.g. to Q8_0)");
            };
        }
    }
}

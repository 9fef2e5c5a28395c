package servelab.kernels.tokenizer;

import java.util.List;

import servelab.kernels.gguf.GgufMetadata;
import servelab.kernels.gguf.GgufValue;
import servelab.kernels.gguf.GgufWriter;

/**
 * A byte-level BPE vocabulary as GGUF stores it: token strings (in the byte-level alphabet, id = index), their
 * types, the merges in rank order ({@code "left right"}), and the begin- and end-of-text ids.
 *
 * @param tokens     token strings, id = index
 * @param tokenTypes one per token: {@link #NORMAL}, {@link #CONTROL} (special tokens such as {@code <|eot_id|>}), ...
 * @param merges     merge rules, lowest rank first
 * @param bosId      {@code <|begin_of_text|>}
 * @param eosId      {@code <|end_of_text|>}
 */
public record Vocabulary(List<String> tokens, List<Integer> tokenTypes, List<String> merges, int bosId, int eosId) {
    /** GGUF token type of ordinary tokens. */
    public static final int NORMAL = 1;
    /** GGUF token type of control (special) tokens. */
    public static final int CONTROL = 3;

    public Vocabulary {
        tokens = List.copyOf(tokens);
        tokenTypes = List.copyOf(tokenTypes);
        merges = List.copyOf(merges);
        if (tokenTypes.size() != tokens.size()) {
            throw new IllegalArgumentException("Vocabulary has " + tokens.size() + " tokens but " + tokenTypes.size() + " token types");
        }
        for (var id : new int[] {bosId, eosId}) {
            if (id < 0 || id >= tokens.size()) {
                throw new IllegalArgumentException("Vocabulary bos/eos id " + id + " outside 0.." + (tokens.size() - 1));
            }
        }
    }

    public int size() {
        return tokens.size();
    }

    /** Reads {@code tokenizer.ggml.*}; the model must be {@code gpt2} (byte-level BPE), as Llama 3 files say. */
    public static Vocabulary fromGguf(GgufMetadata metadata) {
        String model = metadata.string("tokenizer.ggml.model");
        if (!model.equals("gpt2")) {
            throw new IllegalArgumentException("tokenizer.ggml.model is '" + model + "': only 'gpt2' (byte-level BPE) is supported");
        }
        var tokens = List.of(metadata.strings("tokenizer.ggml.tokens"));
        List<Integer> types;
        if (metadata.contains("tokenizer.ggml.token_type")) {
            types = java.util.Arrays.stream(metadata.int32s("tokenizer.ggml.token_type")).boxed().toList();
        } else {
            types = java.util.Collections.nCopies(tokens.size(), NORMAL);
        }
        var merges = metadata.contains("tokenizer.ggml.merges") ? List.of(metadata.strings("tokenizer.ggml.merges")) : List.<String>of();
        return new Vocabulary(tokens, types, merges, metadata.int32("tokenizer.ggml.bos_token_id"),
                metadata.int32("tokenizer.ggml.eos_token_id"));
    }

    /** Puts the {@code tokenizer.ggml.*} keys Llama 3 GGUF files carry. */
    public void writeTo(GgufWriter writer) {
        writer.put("tokenizer.ggml.model", GgufValue.ofString("gpt2"))
                .put("tokenizer.ggml.pre", GgufValue.ofString("llama-bpe"))
                .put("tokenizer.ggml.tokens", GgufValue.ofStrings(tokens.toArray(String[]::new)))
                .put("tokenizer.ggml.token_type", GgufValue.ofInt32s(tokenTypes.stream().mapToInt(Integer::intValue).toArray()))
                .put("tokenizer.ggml.merges", GgufValue.ofStrings(merges.toArray(String[]::new)))
                .put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(bosId))
                .put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(eosId));
    }
}

package servelab.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import servelab.datasets.TraceRequest;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.tokenizer.Tokenizer;
import servelab.kernels.tokenizer.Vocabulary;

/**
 * Prompts of a trace's lengths: {@code inputTokens} words, each of which is one token. With the target's tokenizer
 * (a GGUF's vocabulary) only words that it encodes as exactly one token are used, so a prompt of n words is n tokens
 * to the server (plus the BOS token a server may add). Without one, the words are common English words that every
 * widely used BPE vocabulary (Llama 3, GPT-4's cl100k, Qwen, Mistral) holds as single tokens with their leading space:
 * a documented approximation, exact for those tokenizers and off by the few that split a word.
 *
 * <p>Prefix structure is kept: the words of prefix block i come from a generator seeded by the block's id, so two
 * requests that share a Mooncake {@code hash_id} share those words exactly and a prefix cache can hit on them; the
 * tokens past the blocks are seeded by the request id, so unrelated requests share nothing.
 *
 * @param words  the single-token words (each with its leading space)
 * @param source where the words came from, for run.json
 */
public record PromptSource(List<String> words, String source) {
    /** Words common enough to be single tokens with a leading space in every major BPE vocabulary. */
    static final List<String> COMMON_WORDS = List.of(" the", " of", " and", " to", " in", " is", " that", " for",
            " it", " as", " was", " with", " be", " by", " on", " not", " he", " this", " are", " or", " his", " from",
            " at", " which", " but", " have", " an", " had", " they", " you", " were", " their", " one", " all",
            " we", " can", " her", " has", " there", " been", " if", " more", " when", " will", " would", " who",
            " so", " no", " time", " people", " year", " way", " day", " man", " thing", " world", " life", " hand",
            " part", " place", " case", " week", " work", " point", " home", " water", " room", " night", " word",
            " house", " book", " city", " name", " line", " end", " system", " number", " group", " side", " state");

    public PromptSource {
        words = List.copyOf(words);
        if (words.size() < 2) throw new IllegalArgumentException("a prompt source needs at least two words");
    }

    /** The documented approximation, for a target whose tokenizer is not known. */
    public static PromptSource approximate() {
        return new PromptSource(COMMON_WORDS, "approximate: common English words, one token each in Llama 3, "
                + "cl100k, Qwen and Mistral vocabularies");
    }

    /** Words from the tokenizer in a GGUF file's metadata, each checked to encode as exactly one token. */
    public static PromptSource fromGguf(Path gguf) throws IOException {
        try (var file = GgufFile.open(gguf)) {
            var tokenizer = new Tokenizer(Vocabulary.fromGguf(file.metadata()));
            return fromTokenizer(tokenizer, "tokenizer of " + gguf);
        }
    }

    static PromptSource fromTokenizer(Tokenizer tokenizer, String source) {
        var words = new ArrayList<String>();
        for (String w : COMMON_WORDS) if (tokenizer.encode(w).length == 1) words.add(w);
        var tokens = tokenizer.vocabulary().tokens();
        // byte-level BPE writes a leading space as 'Ġ'; plain lowercase words after it round-trip through encode
        for (int id = 0; id < tokens.size() && words.size() < 1000; id++) {
            String t = tokens.get(id);
            if (t.length() < 3 || t.length() > 9 || t.charAt(0) != '\u0120' || !t.substring(1).chars().allMatch(
                    c -> c >= 'a' && c <= 'z')) continue;
            String word = " " + t.substring(1);
            if (!words.contains(word) && tokenizer.encode(word).length == 1) words.add(word);
        }
        if (words.size() < 2) {
            throw new IllegalArgumentException(source + " has fewer than two plain words that are single tokens; "
                    + "leave out --tokenizer to use the approximation");
        }
        return new PromptSource(words, source);
    }

    /** The prompt of {@code r}: its prefix blocks' words, then words of its own, {@code inputTokens} in all. */
    public String prompt(TraceRequest r) {
        var text = new StringBuilder(r.inputTokens() * 6);
        int written = 0;
        for (long block : r.prefixBlockIds()) {
            int n = Math.min(r.prefixBlockTokens(), r.inputTokens() - written);
            append(text, new SplittableRandom(mix(block, 0x5EED_B10CL)), n);
            written += n;
            if (written == r.inputTokens()) break;
        }
        append(text, new SplittableRandom(mix(r.id(), 0x5EED_0E0EL)), r.inputTokens() - written);
        return text.toString();
    }

    private void append(StringBuilder text, SplittableRandom random, int n) {
        for (int i = 0; i < n; i++) text.append(words.get(random.nextInt(words.size())));
    }

    private static long mix(long value, long salt) {
        long z = value * 0x9E3779B97F4A7C15L + salt;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }
}

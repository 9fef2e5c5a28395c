package servelab.kernels.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Llama 3's pre-tokenizer: text is split by this pattern (the {@code tokenizer.json} "Split" regex of Llama 3, also
 * GGUF's {@code tokenizer.ggml.pre = "llama-bpe"}) and BPE runs inside each piece, never across pieces:
 * English contractions; letters with at most one leading non-letter; 1-3 digits; punctuation runs with an optional
 * leading space and trailing newlines; newline runs; whitespace not followed by text; other whitespace.
 */
final class PreTokenizer {
    private static final Pattern LLAMA3 = Pattern.compile(
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private PreTokenizer() {}

    /** The pieces of {@code text}, in order; together they are exactly {@code text}. */
    static List<String> split(String text) {
        var pieces = new ArrayList<String>();
        var matcher = LLAMA3.matcher(text);
        while (matcher.find()) {
            pieces.add(matcher.group());
        }
        return pieces;
    }
}

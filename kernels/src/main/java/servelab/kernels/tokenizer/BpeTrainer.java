package servelab.kernels.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns a small byte-level BPE vocabulary from a corpus, for generated test models: start from the 256 byte
 * tokens, then repeatedly merge the most frequent adjacent pair within pre-tokenized words (ties broken by the pair's
 * text, so training is deterministic) until {@code merges} merges are made or no pair occurs twice.
 *
 * <p>Token ids: bytes 0..255 first (in byte order), then one token per merge in merge order, then the special
 * tokens, the first of which is begin-of-text and the second end-of-text.
 */
public final class BpeTrainer {
    /** Llama 3's special tokens used by its chat template, in the order a trained vocabulary lists them. */
    public static final List<String> LLAMA3_SPECIALS = List.of("<|begin_of_text|>", "<|end_of_text|>",
            "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>");

    private BpeTrainer() {}

    /** A few paragraphs of English (with some numbers, code, accents, CJK and emoji) written for ServeLab's tests. */
    public static String sampleCorpus() {
        try (var in = BpeTrainer.class.getResourceAsStream("corpus.txt")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The vocabulary of ServeLab's generated models: {@link #sampleCorpus()}, up to 400 merges, Llama 3's specials
     * (trained once per JVM; the result is immutable).
     */
    public static Vocabulary sampleVocabulary() {
        return Sample.VOCABULARY;
    }

    private static final class Sample {
        static final Vocabulary VOCABULARY = train(sampleCorpus(), 400, LLAMA3_SPECIALS);
    }

    /** Trains up to {@code merges} merges on {@code corpus}; see the class comment for the ids. */
    public static Vocabulary train(String corpus, int merges, List<String> specials) {
        if (merges < 0 || specials.size() < 2) {
            throw new IllegalArgumentException("need merges >= 0 and at least bos and eos specials, got " + merges + " and " + specials);
        }
        // words as symbol lists, with their counts; a TreeMap keeps the order independent of hashing
        var wordCounts = new TreeMap<String, Integer>();
        for (var piece : PreTokenizer.split(corpus)) {
            wordCounts.merge(ByteLevel.encode(piece), 1, Integer::sum);
        }
        var words = new ArrayList<List<String>>();
        var counts = new ArrayList<Integer>();
        for (var entry : wordCounts.entrySet()) {
            var symbols = new ArrayList<String>();
            for (char c : entry.getKey().toCharArray()) {
                symbols.add(String.valueOf(c));
            }
            words.add(symbols);
            counts.add(entry.getValue());
        }
        var tokens = new ArrayList<String>();
        for (int b = 0; b < 256; b++) {
            tokens.add(String.valueOf(ByteLevel.charOf(b)));
        }
        var mergeRules = new ArrayList<String>();
        for (int m = 0; m < merges; m++) {
            var best = mostFrequentPair(words, counts);
            if (best == null) {
                break;
            }
            String left = best.getKey();
            String right = best.getValue();
            mergeRules.add(left + " " + right);
            tokens.add(left + right);
            for (var word : words) {
                for (int i = 0; i + 1 < word.size(); i++) {
                    if (word.get(i).equals(left) && word.get(i + 1).equals(right)) {
                        word.set(i, left + right);
                        word.remove(i + 1);
                    }
                }
            }
        }
        var types = new ArrayList<Integer>();
        tokens.forEach(t -> types.add(Vocabulary.NORMAL));
        int firstSpecial = tokens.size();
        for (var special : specials) {
            tokens.add(special);
            types.add(Vocabulary.CONTROL);
        }
        return new Vocabulary(tokens, types, mergeRules, firstSpecial, firstSpecial + 1);
    }

    /** The pair occurring most often (at least twice), ties to the smaller "left right" text; null if none. */
    private static Map.Entry<String, String> mostFrequentPair(List<List<String>> words, List<Integer> counts) {
        var pairCounts = new TreeMap<String, Integer>();
        for (int w = 0; w < words.size(); w++) {
            var word = words.get(w);
            for (int i = 0; i + 1 < word.size(); i++) {
                pairCounts.merge(word.get(i) + " " + word.get(i + 1), counts.get(w), Integer::sum);
            }
        }
        String best = null;
        int bestCount = 1;
        for (var entry : pairCounts.entrySet()) {
            if (entry.getValue() > bestCount) {
                best = entry.getKey();
                bestCount = entry.getValue();
            }
        }
        if (best == null) {
            return null;
        }
        int space = best.indexOf(' ');
        return Map.entry(best.substring(0, space), best.substring(space + 1));
    }
}

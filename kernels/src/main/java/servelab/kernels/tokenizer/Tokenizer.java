package servelab.kernels.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Llama 3's byte-level BPE tokenizer over a {@link Vocabulary}. Encoding: split the text with the Llama 3
 * pre-tokenizer pattern, write each piece's UTF-8 bytes in the byte-level alphabet, then within the piece repeatedly
 * merge the adjacent pair of lowest merge rank until no pair has a rank; each resulting string is a token. Decoding
 * maps tokens back to bytes and the bytes to UTF-8 text.
 *
 * <p>Immutable and thread-safe. Encoding a word of {@code n} bytes costs O(n^2) map look-ups; words are short.
 */
public final class Tokenizer {
    private final Vocabulary vocabulary;
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<String, Integer> mergeRanks = new HashMap<>();
    /** Control tokens, longest first, so that matching picks the longest special at each position. */
    private final List<String> specials;

    public Tokenizer(Vocabulary vocabulary) {
        this.vocabulary = vocabulary;
        var tokens = vocabulary.tokens();
        var specialList = new ArrayList<String>();
        for (int id = 0; id < tokens.size(); id++) {
            ids.putIfAbsent(tokens.get(id), id);
            if (vocabulary.tokenTypes().get(id) == Vocabulary.CONTROL) {
                specialList.add(tokens.get(id));
            }
        }
        specialList.sort(Comparator.comparingInt(String::length).reversed());
        this.specials = List.copyOf(specialList);
        var merges = vocabulary.merges();
        for (int rank = 0; rank < merges.size(); rank++) {
            String merge = merges.get(rank);
            if (merge.indexOf(' ') <= 0 || merge.indexOf(' ') != merge.lastIndexOf(' ')) {
                throw new IllegalArgumentException("merge " + rank + " is '" + merge + "': expected two tokens separated by one space");
            }
            mergeRanks.putIfAbsent(merge, rank);
        }
        for (int b = 0; b < 256; b++) {
            if (!ids.containsKey(String.valueOf(ByteLevel.charOf(b)))) {
                throw new IllegalArgumentException("the vocabulary has no token for byte " + b + " ('" + ByteLevel.charOf(b)
                        + "'), so some text could not be encoded");
            }
        }
    }

    public Vocabulary vocabulary() { return vocabulary; }
    public int vocabularySize() { return vocabulary.size(); }
    public int bos() { return vocabulary.bosId(); }
    public int eos() { return vocabulary.eosId(); }

    /** The id of a token string (for example a special token such as {@code <|eot_id|>}). */
    public OptionalInt id(String token) {
        var id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    public String token(int id) {
        return vocabulary.tokens().get(id);
    }

    public boolean isSpecial(int id) {
        return vocabulary.tokenTypes().get(id) == Vocabulary.CONTROL;
    }

    /** Encodes plain text: special-token strings in it are encoded as ordinary text. */
    public int[] encode(String text) {
        var out = new IntList();
        encodeOrdinary(text, out);
        return out.toArray();
    }

    /** Encodes text in which special-token strings (such as {@code <|eot_id|>}) stand for their special tokens. */
    public int[] encodeWithSpecials(String text) {
        var out = new IntList();
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String special = specialAt(text, i);
            if (special == null) {
                i++;
                continue;
            }
            encodeOrdinary(text.substring(start, i), out);
            out.add(ids.get(special));
            i += special.length();
            start = i;
        }
        encodeOrdinary(text.substring(start), out);
        return out.toArray();
    }

    private String specialAt(String text, int at) {
        if (text.charAt(at) != '<') {
            return null;
        }
        for (var special : specials) {
            if (text.startsWith(special, at)) {
                return special;
            }
        }
        return null;
    }

    private void encodeOrdinary(String text, IntList out) {
        for (var piece : PreTokenizer.split(text)) {
            var parts = new ArrayList<String>();
            for (char c : ByteLevel.encode(piece).toCharArray()) {
                parts.add(String.valueOf(c));
            }
            mergeLowestRankFirst(parts);
            for (var part : parts) {
                var id = ids.get(part);
                if (id == null) {
                    throw new IllegalStateException("BPE produced '" + part + "', which is not in the vocabulary");
                }
                out.add(id);
            }
        }
    }

    /**
     * Merges the adjacent pair of lowest rank, the leftmost of equal ones, until no pair has a rank: a queue of
     * candidate pairs (rank, left position) over a linked list of symbols, so a long word costs O(n log n) (the
     * rescan after every merge cost O(n^2): 16,000 letters took 1.7 s, and a 1 MiB prompt would have taken hours).
     * A pair whose symbols changed since it was queued is skipped when it comes up: ranks name pairs uniquely, so
     * its rank now tells whether it is still the same pair.
     */
    private void mergeLowestRankFirst(List<String> parts) {
        int n = parts.size();
        if (n < 2) return;
        var symbols = parts.toArray(new String[0]);
        var next = new int[n];
        var prev = new int[n];
        var queue = new java.util.PriorityQueue<Long>();
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
            if (i + 1 < n) enqueue(queue, symbols, i, i + 1);
        }
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int left = (int) top, rank = (int) (top >>> 32);
            int right = symbols[left] == null ? -1 : next[left];
            if (right < 0 || rankOf(symbols[left], symbols[right]) != rank) continue; // stale
            symbols[left] = symbols[left] + symbols[right];
            symbols[right] = null;
            next[left] = next[right];
            if (next[left] >= 0) prev[next[left]] = left;
            if (prev[left] >= 0) enqueue(queue, symbols, prev[left], left);
            if (next[left] >= 0) enqueue(queue, symbols, left, next[left]);
        }
        parts.clear();
        for (int i = 0; i >= 0; i = next[i]) parts.add(symbols[i]); // the first symbol is never merged away
    }

    private void enqueue(java.util.PriorityQueue<Long> queue, String[] symbols, int left, int right) {
        int rank = rankOf(symbols[left], symbols[right]);
        if (rank >= 0) queue.add((long) rank << 32 | left);
    }

    /** The merge rank of the pair, or -1 when the vocabulary has no such merge. */
    private int rankOf(String left, String right) {
        Integer rank = mergeRanks.get(left + " " + right);
        return rank == null ? -1 : rank;
    }

    /** The bytes the tokens stand for (special tokens as their text); a prefix may end inside a UTF-8 character. */
    public byte[] decodeBytes(int... tokens) {
        var bytes = new ByteArrayOutputStream();
        for (int id : tokens) {
            String token = vocabulary.tokens().get(id);
            if (isSpecial(id)) {
                bytes.writeBytes(token.getBytes(StandardCharsets.UTF_8));
                continue;
            }
            for (int i = 0; i < token.length(); i++) {
                int b = ByteLevel.byteOf(token.charAt(i));
                if (b < 0) {
                    bytes.writeBytes(String.valueOf(token.charAt(i)).getBytes(StandardCharsets.UTF_8));
                } else {
                    bytes.write(b);
                }
            }
        }
        return bytes.toByteArray();
    }

    /** The text the tokens stand for; invalid UTF-8 becomes U+FFFD. */
    public String decode(int... tokens) {
        return new String(decodeBytes(tokens), StandardCharsets.UTF_8);
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] values = new int[16];
        private int size;

        void add(int v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}

package servelab.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import servelab.kernels.tokenizer.ChatTemplate;

/**
 * The emulated executor's tokens, which have no vocabulary. A prompt is cut into words and punctuation marks
 * ({@code \w+|[^\w\s]}), one token each (English text averages about 1.3 BPE tokens per word, so counts run
 * low by that much); each token's id is a hash of its text, so equal prompt prefixes are equal token prefixes and
 * the prefix cache sees what a real tokenizer would let it see. Output tokens are placeholder words chosen by request
 * and position, each one token again when re-read.
 */
public final class PlaceholderTokens implements ServedTokens {
    private static final Pattern PIECE = Pattern.compile("\\w+|[^\\w\\s]", Pattern.UNICODE_CHARACTER_CLASS);
    private static final String[] WORDS = {" the", " model", " serves", " tokens", " at", " a", " steady", " pace",
            " while", " the", " router", " spreads", " requests", " over", " replicas", "."};
    private static final byte[][] WORD_BYTES = new byte[WORDS.length][];

    static {
        for (int i = 0; i < WORDS.length; i++) WORD_BYTES[i] = WORDS[i].getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public int[] encode(String prompt) {
        var ids = new ArrayList<Integer>();
        var m = PIECE.matcher(prompt);
        while (m.find()) ids.add(id(m.group()));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public int[] encodeChat(List<ChatTemplate.Message> messages) {
        return encode(ChatTemplate.render(messages, true));
    }

    @Override
    public byte[] bytes(long requestId, int index, int id) {
        long h = (requestId * 0x9E3779B97F4A7C15L) ^ (index * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 29;
        return WORD_BYTES[(int) Long.remainderUnsigned(h, WORDS.length)];
    }

    @Override
    public boolean isEos(int id) {
        return false;
    }

    @Override
    public boolean isValidId(int id) {
        return id >= 0;
    }

    /** A piece's id: a non-negative hash of its text (FNV-1a). */
    private static int id(String piece) {
        int h = 0x811C9DC5;
        for (int i = 0; i < piece.length(); i++) h = (h ^ piece.charAt(i)) * 0x01000193;
        return h & 0x7FFFFFFF;
    }
}

package servelab.kernels.tokenizer;

/**
 * The byte-level alphabet of GPT-2 style BPE vocabularies (Llama 3 uses it): every byte is one printable character,
 * so token strings never hold raw control bytes or spaces. Bytes that are printable in Latin-1 ('!'..'~',
 * '\u00a1'..'\u00ac', '\u00ae'..'\u00ff') stand for themselves; the other 68 bytes, in ascending order, become
 * U+0100, U+0101, ... (so a space, byte 32, is 'Ġ' U+0120).
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
            char c = (char) (printable ? b : next++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {}

    /** The character standing for byte {@code b} (0..255). */
    static char charOf(int b) {
        return BYTE_TO_CHAR[b & 0xff];
    }

    /** The byte a character stands for, or -1 if it is not in the alphabet. */
    static int byteOf(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The UTF-8 bytes of {@code text}, each replaced by its character. */
    static String encode(String text) {
        var utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var chars = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            chars[i] = charOf(utf8[i]);
        }
        return new String(chars);
    }
}

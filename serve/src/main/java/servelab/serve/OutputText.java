package servelab.serve;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One request's output text, built token by token on the engine's thread: token bytes are decoded as UTF-8 across
 * token boundaries (a byte-level BPE token may hold half a character), and generation stops at an end-of-text
 * token (unless {@code ignore_eos}) or where a stop string appears, which is left out of the text as vLLM and
 * OpenAI do. Text that might be the start of a stop string is held back until the next token decides.
 */
final class OutputText {
    private final ServedTokens tokens;
    private final long requestId;
    private final List<String> stop;
    private final boolean ignoreEos;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
    private ByteBuffer pending = ByteBuffer.allocate(16);
    private final StringBuilder text = new StringBuilder();
    private int sent;
    private boolean stopped;

    OutputText(ServedTokens tokens, long requestId, List<String> stop, boolean ignoreEos) {
        this.tokens = tokens;
        this.requestId = requestId;
        this.stop = stop;
        this.ignoreEos = ignoreEos;
    }

    /** Adds output token {@code index} ({@code id} -1 without ids); returns the text now safe to send. */
    String add(int index, int id) {
        if (stopped) return "";
        if (id >= 0 && !ignoreEos && tokens.isEos(id)) {
            decode(new byte[0], true); // bytes waiting for the rest of a character: a replacement, as at a length end
            stopped = true;
            return release(text.length());
        }
        decode(tokens.bytes(requestId, index, id), false);
        for (var s : stop) {
            int at = text.indexOf(s, Math.max(0, sent - s.length() + 1));
            if (at >= 0) {
                stopped = true;
                text.setLength(at);
                return release(at);
            }
        }
        return release(text.length() - heldBack());
    }

    /** Whether a stop condition (end of text, a stop string) ended the output. */
    boolean stopped() {
        return stopped;
    }

    /**
     * The text not sent yet, at the end of the request: bytes still waiting for the rest of a character become a
     * replacement character, as a detokenizer makes them (they were dropped).
     */
    String rest() {
        if (!stopped) decode(new byte[0], true);
        return release(text.length());
    }

    /** The whole text so far. */
    String text() {
        return text.toString();
    }

    private String release(int upTo) {
        if (upTo <= sent) return "";
        var out = text.substring(sent, upTo);
        sent = upTo;
        return out;
    }

    /** Characters at the end of the text that begin some stop string. */
    private int heldBack() {
        int held = 0;
        for (var s : stop) {
            for (int k = Math.min(s.length() - 1, text.length() - sent); k > held; k--) {
                if (endsWith(s, k)) {
                    held = k;
                    break;
                }
            }
        }
        return held;
    }

    /** Whether the text ends with the first {@code k} characters of {@code s}. */
    private boolean endsWith(String s, int k) {
        int at = text.length() - k;
        for (int i = 0; i < k; i++) if (text.charAt(at + i) != s.charAt(i)) return false;
        return true;
    }

    /**
     * Decodes the new bytes after those still pending; {@code end}: no more will come. Each byte yields at most one
     * char and each malformed sequence one replacement for at least one byte, so the buffer never overflows.
     */
    private void decode(byte[] bytes, boolean end) {
        if (pending.remaining() < bytes.length) {
            var bigger = ByteBuffer.allocate(pending.position() + bytes.length + 16);
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(bytes);
        pending.flip();
        var chars = CharBuffer.allocate(pending.remaining() + 1);
        // not UTF-8: a replacement character, as a detokenizer shows it, and decoding goes on with the bytes after it
        // (it stopped there: a word after a stray byte waited for the next token, or was lost at the end)
        for (CoderResult r; (r = utf8.decode(pending, chars, end)).isError(); ) {
            pending.position(Math.min(pending.limit(), pending.position() + r.length()));
            chars.put('\uFFFD');
        }
        if (end) {
            utf8.flush(chars);
            utf8.reset();
        }
        pending.compact();
        chars.flip();
        text.append(chars);
    }
}

package servelab.runtime.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 text for a JSON parser, with the line and column of the first byte that is not UTF-8.
 *
 * <p>JSON files are UTF-8 (RFC 8259, section 8.1), but Jackson given bytes guesses UTF-16 or UTF-32 from leading zero
 * bytes and then fails with a CharConversionException that names no line (found by fuzzing the vLLM importer).
 * Given this reader instead, Jackson never guesses: zero bytes become characters it refuses with their line and
 * column, and bytes that are not UTF-8 at all are a {@link NotUtf8} saying where they are. A leading byte-order mark
 * is dropped, as Jackson's own detection does.
 */
final class Utf8Reader extends Reader {

    /** Bytes that are not UTF-8, at a 1-based line and column (in characters) and a 0-based byte offset. */
    static final class NotUtf8 extends IOException {
        private static final long serialVersionUID = 1L;

        NotUtf8(long line, long column, long byteOffset) {
            super("not UTF-8 text at line " + line + ", column " + column + " (byte offset " + byteOffset + ")");
        }
    }

    private final InputStream in;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final ByteBuffer bytes = ByteBuffer.allocate(8192).flip();
    private final CharBuffer chars = CharBuffer.allocate(8192).flip();
    private boolean eof;
    private boolean atStart = true;
    /** Bytes before {@code bytes}' index 0, so that an error can say its byte offset. */
    private long bytesBefore;
    private long line = 1;
    private long column = 1;

    Utf8Reader(InputStream in) {
        this.in = in;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
        if (length == 0) return 0;
        if (!chars.hasRemaining() && !decodeMore()) return -1;
        int n = Math.min(length, chars.remaining());
        chars.get(buffer, offset, n);
        return n;
    }

    /** Decodes the next characters into {@code chars}, counting lines; false at the end of the input. */
    private boolean decodeMore() throws IOException {
        chars.clear();
        while (chars.position() == 0) {
            if (eof) {
                check(decoder.decode(bytes, chars, true));
                decoder.flush(chars);
                if (chars.position() == 0) return false;
                break;
            }
            fill();
            check(decoder.decode(bytes, chars, eof));
        }
        chars.flip();
        if (atStart) {
            atStart = false;
            if (chars.get(0) == '\uFEFF') chars.position(1);
        }
        count(chars.position(), chars.limit());
        return chars.hasRemaining() || decodeMore();
    }

    private void check(CoderResult result) throws NotUtf8 {
        if (!result.isError()) return;
        count(atStart && chars.position() > 0 && chars.get(0) == '\uFEFF' ? 1 : 0, chars.position());
        throw new NotUtf8(line, column, bytesBefore + bytes.position());
    }

    private void fill() throws IOException {
        bytesBefore += bytes.position();
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) eof = true;
        else bytes.position(bytes.position() + n);
        bytes.flip();
    }

    private void count(int from, int end) {
        for (int i = from; i < end; i++) {
            if (chars.get(i) == '\n') {
                line++;
                column = 1;
            } else {
                column++;
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

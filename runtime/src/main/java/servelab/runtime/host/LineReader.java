package servelab.runtime.host;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * UTF-8 lines from a socket with a hard limit and a deadline. Unlike {@link java.io.BufferedReader#readLine()}, which
 * buffers a line of any length and waits forever, this stops at {@code maxBytes} and throws, so a client cannot grow
 * the heap by sending no newline; and every read waits only for what is left of one deadline for the whole
 * connection, so a client trickling a byte at a time cannot hold a connection longer than a silent one.
 */
public final class LineReader {
    /** A line longer than the limit; the message names the limit. */
    public static final class LineTooLongException extends IOException {
        LineTooLongException(int maxBytes) {
            super("line over " + maxBytes + " bytes; control commands are short");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final int maxBytes;
    private final long deadlineNanos;
    private final byte[] buffer = new byte[4096];
    private int pos;
    private int limit;

    public LineReader(Socket socket, int maxBytes, Duration timeout) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.maxBytes = maxBytes;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /** The next line without its {@code \n} (and a {@code \r} before it), or null at end of stream. */
    public String readLine() throws IOException {
        var line = new ByteArrayOutputStream(256);
        while (true) {
            if (pos == limit && !fill()) return line.size() == 0 ? null : text(line);
            int start = pos;
            while (pos < limit && buffer[pos] != '\n') pos++;
            if (line.size() + (pos - start) > maxBytes) throw new LineTooLongException(maxBytes);
            line.write(buffer, start, pos - start);
            if (pos < limit) { // found the newline
                pos++;
                return text(line);
            }
        }
    }

    private boolean fill() throws IOException {
        long leftMillis = (deadlineNanos - System.nanoTime()) / 1_000_000;
        if (leftMillis <= 0) throw new SocketTimeoutException("deadline passed");
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMillis));
        int n = in.read(buffer);
        if (n <= 0) return false;
        pos = 0;
        limit = n;
        return true;
    }

    private static String text(ByteArrayOutputStream line) {
        String s = line.toString(StandardCharsets.UTF_8);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}

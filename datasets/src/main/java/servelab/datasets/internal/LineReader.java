package servelab.datasets.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads a file line by line into one reused byte buffer, so a row costs no allocation and a multi-GB trace never
 * sits in memory. Lines end at {@code \n}; a {@code \r} before it (the Azure files are CRLF) is not part of the
 * line. A UTF-8 byte-order mark at the start of the file is dropped.
 *
 * <p>After {@link #next()} returns true, the line is {@code buffer()[start() .. end())}; it stays valid until the
 * next call. Not thread-safe.
 */
public final class LineReader implements Closeable {
    private static final int INITIAL_BUFFER = 1 << 16;

    private final InputStream in;
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int pos;
    private int limit;
    private boolean eof;
    private long lineNumber;
    private int start;
    private int end;
    private boolean terminated;

    public LineReader(InputStream in) {
        this.in = in;
    }

    /** Opens {@code file}, decompressing it when its name ends in {@code .gz}. */
    public static LineReader open(Path file) throws IOException {
        // reading a folder fails later with the bare "Is a directory", which names neither file nor remedy
        if (Files.isDirectory(file)) throw new java.nio.file.FileSystemException(file.toString(), null, "is a folder, not a trace file");
        InputStream raw = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) raw = new GZIPInputStream(raw, 1 << 16);
        return new LineReader(raw);
    }

    /** Advances to the next line; false at the end of the file. */
    public boolean next() throws IOException {
        if (lineNumber == 0 && !skipByteOrderMark()) return false;
        int scan = pos;
        while (true) {
            for (int i = scan; i < limit; i++) {
                if (buf[i] == '\n') {
                    setLine(pos, i, true);
                    pos = i + 1;
                    return true;
                }
            }
            if (eof) {
                if (pos >= limit) return false;
                setLine(pos, limit, false);
                pos = limit;
                return true;
            }
            scan = limit - pos;
            fill();
        }
    }

    private void setLine(int from, int newline, boolean endsWithNewline) {
        start = from;
        end = newline > from && buf[newline - 1] == '\r' ? newline - 1 : newline;
        terminated = endsWithNewline;
        lineNumber++;
    }

    /** Moves the unread bytes to the front (growing the buffer when one line fills it) and reads more. */
    private void fill() throws IOException {
        int unread = limit - pos;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, unread);
        } else if (unread == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        pos = 0;
        limit = unread;
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) eof = true;
        else limit += n;
    }

    private boolean skipByteOrderMark() throws IOException {
        while (limit - pos < 3 && !eof) fill();
        if (limit - pos >= 3 && (buf[pos] & 0xff) == 0xEF && (buf[pos + 1] & 0xff) == 0xBB
                && (buf[pos + 2] & 0xff) == 0xBF) {
            pos += 3;
        }
        return limit > pos || !eof;
    }

    public byte[] buffer() {
        return buf;
    }

    public int start() {
        return start;
    }

    public int end() {
        return end;
    }

    /** 1-based number of the current line. */
    public long lineNumber() {
        return lineNumber;
    }

    /** False when the current line is the last one and the file ends without a newline (it may be cut off). */
    public boolean isTerminated() {
        return terminated;
    }

    /** True when the current line holds nothing but spaces or tabs. */
    public boolean isBlank() {
        for (int i = start; i < end; i++) {
            if (buf[i] != ' ' && buf[i] != '\t') return false;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

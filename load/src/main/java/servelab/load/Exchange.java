package servelab.load;

import java.util.Arrays;

/**
 * What the client saw of one request, in {@link System#nanoTime()} readings: when it was sent, when each chunk with
 * text arrived, when the response ended, and the server's usage when it reported one.
 */
final class Exchange {
    long sentNanos;
    long endNanos = -1;
    long[] chunkNanos = new long[16];
    int chunks;
    StreamParser.Usage usage;
    String error = "";

    void chunk(long nanos) {
        if (chunks == chunkNanos.length) chunkNanos = Arrays.copyOf(chunkNanos, chunks * 2);
        chunkNanos[chunks++] = nanos;
    }

    void fail(String why) {
        if (error.isEmpty()) error = why;
    }

    /** Tokens of a whole (non-streamed) answer that gave no usage: 1 when it had text. */
    int wholeAnswerTokens;

    /** Output tokens: the server's count when it gave one, else one per chunk with text (a whole answer's: 1). */
    int outputTokens() {
        return usage != null ? usage.completionTokens() : Math.max(chunks, wholeAnswerTokens);
    }

    /**
     * A time per output token. Servers stream one token per chunk (vLLM, SGLang and ServeLab do by default), and then
     * these are the chunks' arrival times. When the counts differ, token i gets the time of chunk
     * {@code floor(i * chunks / tokens)}: tokens that came together share a time, which is what the client saw. None
     * for a non-streamed answer: its ITLs were recorded as 0, as if every token had come at once from the server.
     */
    long[] tokenNanos() {
        if (chunks == 0) return new long[0]; // a whole answer: when each token was made is not known (ITL null)
        int n = outputTokens();
        var times = new long[n];
        for (int i = 0; i < n; i++) {
            times[i] = chunks == 0 ? endNanos : chunkNanos[(int) Math.min(chunks - 1, (long) i * chunks / n)];
        }
        return times;
    }
}

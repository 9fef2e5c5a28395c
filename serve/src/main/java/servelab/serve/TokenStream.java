package servelab.serve;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import servelab.runtime.record.RequestRow;

/**
 * What the engine's thread hands one client: text as tokens come, then the request's end. Bounded for a streamed
 * answer: the engine never waits for a client. When a slow reader lets {@code capacity} chunks pile up, the next
 * chunk is refused and the request is cancelled (its KV freed), and the client then reads that end. A whole answer's
 * stream ({@link #UNBOUNDED}) is read at the end only, so it refuses nothing.
 */
final class TokenStream {
    /** One event for the client. */
    sealed interface Event {}

    /** {@code tokens} more output tokens, whose text is {@code text} (possibly empty), at run-clock {@code nanos}. */
    record Delta(String text, int tokens, long nanos) implements Event {}

    /**
     * The request ended: {@code row} as recorded; {@code stopped} when a stop condition ended it; {@code text} the
     * output text not sent yet.
     */
    record End(RequestRow row, boolean stopped, String text) implements Event {}

    /** The capacity of a whole answer's stream: it is read only at the end, and holds at most the answer. */
    static final int UNBOUNDED = Integer.MAX_VALUE - 1;

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>(); // bounded by capacity below
    private final int capacity;
    final OutputText output;
    final int maxTokens;
    /** Set by the engine's thread once the request is asked to end (stop condition or overflow). */
    boolean ending;

    TokenStream(int capacity, OutputText output, int maxTokens) {
        this.capacity = capacity; // the end always fits: deltas never take the last place
        this.output = output;
        this.maxTokens = maxTokens;
    }

    /** Offers a delta; false (nothing queued) when the client has fallen {@code capacity} chunks behind. */
    boolean offer(Delta delta) {
        return queue.size() < capacity && queue.offer(delta);
    }

    /** Queues the end; it always fits, as deltas never take the last place. */
    void end(End end) {
        queue.offer(end);
    }

    Event take(long timeoutMillis) throws InterruptedException {
        return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }
}

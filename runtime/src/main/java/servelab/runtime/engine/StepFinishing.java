package servelab.runtime.engine;

/**
 * The requests a replica's current step finishes, as the cluster sees them until the step ends. A step is applied
 * when it starts (its batch is chosen then, as a scheduler does), so the requests it finishes leave the replica's
 * running batch at once; but they finish only when the step ends, and until then a router or a metrics scrape sees
 * them running, their context and their KV blocks held. Without this, a load-aware router knew a step early that a
 * replica was about to be free (least-requests matched an oracle that counts a replica in its last step as empty in
 * 99.9% of its choices, exact join-shortest-queue in 64%).
 */
final class StepFinishing {
    private long endNanos = Long.MIN_VALUE;
    private int requests;
    private long tokens;
    private int blocks;

    /** A new step, which ends at {@code endNanos}, finishes nothing yet. */
    void reset(long endNanos) {
        this.endNanos = endNanos;
        requests = 0;
        tokens = 0;
        blocks = 0;
    }

    /** {@code seq} finishes in this step (called before its blocks are released). */
    void add(Sequence seq) {
        requests++;
        tokens += seq.promptTokens() + seq.outputTokens;
        blocks += seq.blockCount;
    }

    /** Requests finishing in the step that runs at {@code nowNanos}: 0 once it ended. */
    int requests(long nowNanos) {
        return nowNanos < endNanos ? requests : 0;
    }

    /** Their context tokens (prompt and output), 0 once the step ended. */
    long tokens(long nowNanos) {
        return nowNanos < endNanos ? tokens : 0;
    }

    /** The KV blocks they hold until the step ends (released, or cached, when it started). */
    int blocks(long nowNanos) {
        return nowNanos < endNanos ? blocks : 0;
    }
}

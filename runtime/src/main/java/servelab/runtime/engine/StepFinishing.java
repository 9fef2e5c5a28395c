package servelab.runtime.engine;

/**
 * The requests a replica's current step finishes, as the cluster sees them until the step ends. A step is applied
 * when it starts (its batch is chosen then, as a scheduler does), so the requests it finishes leave the replica's
 * running batch at once; but they finish only when the step ends, and until then a router or a metrics scrape sees
 * them running, their context and the KV blocks their release freed held. Without this, a load-aware router knew a
 * step early that a replica was about to be free (least-requests matched an oracle that counts a replica in its last
 * step as empty in 99.9% of its choices, exact join-shortest-queue in 64%). A copy the gateway takes back before the
 * step ends ({@link #withdraw}) leaves the view, and what it computed is wasted work, as a running copy's is.
 */
final class StepFinishing {
    private long endNanos = Long.MIN_VALUE;
    private int requests;
    private long tokens;
    private int blocks;
    /** The step's finishing requests: id, work done (see {@link SequenceQueues#workDone(Sequence)}), context, blocks. */
    private long[] ids = new long[8];
    private int[] work = new int[8], context = new int[8], freed = new int[8];

    /** A new step, which ends at {@code endNanos}, finishes nothing yet. */
    void reset(long endNanos) {
        this.endNanos = endNanos;
        requests = 0;
        tokens = 0;
        blocks = 0;
    }

    /** {@code seq} finishes in this step; {@code freedBlocks}: the blocks its release frees (shared ones stay held). */
    void add(Sequence seq, int freedBlocks) {
        if (requests == ids.length) {
            ids = java.util.Arrays.copyOf(ids, 2 * requests);
            work = java.util.Arrays.copyOf(work, 2 * requests);
            context = java.util.Arrays.copyOf(context, 2 * requests);
            freed = java.util.Arrays.copyOf(freed, 2 * requests);
        }
        ids[requests] = seq.id();
        work[requests] = SequenceQueues.workDone(seq);
        context[requests] = seq.promptTokens() + seq.outputTokens;
        freed[requests] = freedBlocks;
        requests++;
        tokens += seq.promptTokens() + seq.outputTokens;
        blocks += freedBlocks;
    }

    /**
     * Request {@code id} is taken back before the step that finishes it ends (a deadline, a losing hedge): it leaves
     * the view. Returns the tokens computed for it, or -1 when this step does not finish it.
     */
    int withdraw(long id) {
        for (int i = 0; i < requests; i++) {
            if (ids[i] != id) continue;
            int done = work[i];
            tokens -= context[i];
            blocks -= freed[i];
            int last = --requests; // the last entry fills the hole
            ids[i] = ids[last];
            work[i] = work[last];
            context[i] = context[last];
            freed[i] = freed[last];
            return done;
        }
        return -1;
    }

    /** Requests finishing in the step that runs at {@code nowNanos}: 0 once it ended. */
    int requests(long nowNanos) {
        return nowNanos < endNanos ? requests : 0;
    }

    /** Their context tokens (prompt and output), 0 once the step ended. */
    long tokens(long nowNanos) {
        return nowNanos < endNanos ? tokens : 0;
    }

    /** The KV blocks their release freed, held until the step ends (0 once it ended). */
    int blocks(long nowNanos) {
        return nowNanos < endNanos ? blocks : 0;
    }
}

package servelab.runtime.engine;

import java.util.Arrays;

/**
 * What an executor reports for a step, one value back for the {@link StepBatch} it read: the tokens it sampled per
 * item (an executor that produces tokens) or the drafts accepted per verification (the simulated executor). Each
 * call is checked against the step at once. Reused every step: buffers grow to the largest step seen.
 */
public final class StepResult {
    private StepBatch step;
    /** Per item: where its tokens start in {@link #tokens}, how many were emitted, drafts accepted (-1: not told). */
    private int[] offset = new int[64];
    private int[] count = new int[64];
    private int[] accepted = new int[64];
    private int[] tokens = new int[128];

    /**
     * Clears the result for {@code step}: room for each item's drafts plus one token. The replica calls it before
     * every step; calibration ({@code servelab.runtime.calibrate}) calls it to drive an executor outside the engine.
     */
    public void reset(StepBatch step) {
        this.step = step;
        int n = step.size();
        if (offset.length < n) {
            int cap = Math.max(n, 2 * offset.length);
            offset = new int[cap];
            count = new int[cap];
            accepted = new int[cap];
        }
        int total = 0;
        for (int i = 0; i < n; i++) {
            offset[i] = total;
            count[i] = 0;
            accepted[i] = -1;
            total += step.draftTokens(i) + 1;
        }
        if (tokens.length < total) tokens = new int[Math.max(total, 2 * tokens.length)];
    }

    /**
     * A token the step sampled for item {@code i}; an executor that produces tokens calls it for every item that
     * {@link StepBatch#samples samples}: once for a decode or a last prefill chunk; for a verification of k drafts,
     * once per accepted draft (the draft's own token, in order) and once more for the token sampled after them (a
     * correction where a draft was rejected, else a bonus token).
     */
    public void emit(int i, int token) {
        if (!step.samples(i)) {
            throw new IllegalStateException("emit for item " + i + " (seq " + step.seqId(i) + "), whose chunk samples nothing");
        }
        int n = count[i];
        int drafts = step.draftTokens(i);
        if (n > drafts) {
            throw new IllegalStateException("emit number " + (n + 1) + " for item " + i + " (seq " + step.seqId(i)
                    + "), which verifies " + drafts + " drafts: at most " + (drafts + 1) + " tokens");
        }
        if (n > 0) {
            int draft = step.token(i, step.startPosition(i) + step.tokens(i) - drafts + n - 1);
            int previous = tokens[offset[i] + n - 1];
            if (previous != draft) {
                throw new IllegalStateException("emit after a rejected draft for item " + i + " (seq " + step.seqId(i)
                        + "): token " + previous + " replaced draft " + draft + ", so verification ended there");
            }
        }
        if (token < 0) throw new IllegalArgumentException("emitted token " + token + " for seq " + step.seqId(i) + " is negative");
        tokens[offset[i] + n] = token;
        count[i] = n + 1;
    }

    /**
     * For an executor that produces no tokens (simulation): how many of item {@code i}'s drafts were accepted;
     * called once per verification. The engine then adds the accepted drafts and one more token.
     */
    public void accept(int i, int acceptedDrafts) {
        if (acceptedDrafts < 0 || acceptedDrafts > step.draftTokens(i)) {
            throw new IllegalArgumentException("accepted " + acceptedDrafts + " drafts for item " + i + " (seq "
                    + step.seqId(i) + "), which verifies " + step.draftTokens(i));
        }
        accepted[i] = acceptedDrafts;
    }

    int emitted(int i) { return count[i]; }
    int token(int i, int j) { return tokens[offset[i] + j]; }
    int accepted(int i) { return accepted[i]; }

    @Override
    public String toString() {
        return "result " + Arrays.toString(Arrays.copyOf(count, step == null ? 0 : step.size()));
    }
}

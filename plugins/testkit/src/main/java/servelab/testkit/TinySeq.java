package servelab.testkit;

import java.util.OptionalInt;

import servelab.api.sched.SeqView;

/** {@link TinyEngine}'s mutable sequence, and the immutable view of it that policies get for one step. */
final class TinySeq {
    /** What policies see: the sequence as it was at the start of the step. */
    record View(long id, int promptTokens, int outputTokens, int computedTokens, int maxOutputTokens,
                long arrivalNanos, int priority, String tenant, int preemptions, boolean isSwapped)
            implements SeqView {
        @Override public int cachedPrefixTokens() { return 0; }
        @Override public OptionalInt predictedOutputTokens() { return OptionalInt.empty(); }
    }

    final TinyEngine.Request request;
    int outputTokens;
    int computedTokens;
    int heldBlocks;
    int preemptions;
    boolean swapped;
    long firstScheduledNanos = -1;
    View view;

    TinySeq(TinyEngine.Request request) {
        this.request = request;
        refreshView();
    }

    long id() {
        return request.id();
    }

    void refreshView() {
        view = new View(request.id(), request.promptTokens(), outputTokens, computedTokens, request.outputTokens(),
                request.arrivalMs() * 1_000_000L, request.priority(), request.tenant(), preemptions, swapped);
    }

    /** Computes {@code tokens} more tokens; once every token is computed the next one is sampled. */
    void compute(int tokens) {
        computedTokens += tokens;
        if (computedTokens == request.promptTokens() + outputTokens) outputTokens++;
    }

    boolean isFinished() {
        return outputTokens >= request.outputTokens();
    }
}

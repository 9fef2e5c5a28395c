package servelab.runtime.engine;

import java.util.BitSet;

import servelab.datasets.TraceRequest;

/**
 * {@code context.overflow: truncate}: a request longer than max_model_len keeps only its prompt's last tokens (vLLM's
 * {@code truncate_prompt_tokens} keeps the end), and the requests so cut are remembered by id.
 */
final class PromptCuts {
    private final BitSet cut = new BitSet();

    /**
     * {@code r}, or with {@code truncate} and more than {@code limit} tokens, {@code r} with only its prompt's last
     * tokens; one whose output alone does not fit is left to be refused. The trace's block hashes describe the
     * prompt from its start, which is cut away, so none are kept.
     */
    TraceRequest fitted(TraceRequest r, int limit, boolean truncate) {
        if (!truncate || (long) r.inputTokens() + r.outputTokens() <= limit || r.outputTokens() >= limit) return r;
        if (r.id() >= 0 && r.id() <= Integer.MAX_VALUE) cut.set((int) r.id());
        return new TraceRequest(r.id(), r.arrivalNanos(), limit - r.outputTokens(), r.outputTokens(), r.tenant(),
                r.priority(), new long[0], 0);
    }

    /**
     * Requests whose prompt was cut to fit max_model_len, as a set of ids: a request whose copies (a retry, a hedge)
     * ran on several replicas, or twice on one, is one request (the run counts the union).
     */
    BitSet cut() {
        return (BitSet) cut.clone();
    }
}

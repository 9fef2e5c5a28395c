package servelab.runtime.engine;

import servelab.datasets.TraceRequest;

/**
 * Prompt token ids for requests whose text is known (a tokenized dataset, a generated document). Requests it gives
 * no ids for ({@code null}) get the engine's synthetic tokens, which keep only the trace's prefix identities.
 */
@FunctionalInterface
public interface PromptSource {
    /** The request's prompt as token ids ({@code inputTokens} of them), or {@code null} for synthetic tokens. */
    int[] tokens(TraceRequest request);

    PromptSource SYNTHETIC = request -> null;
}

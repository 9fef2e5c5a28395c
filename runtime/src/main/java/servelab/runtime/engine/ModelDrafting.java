package servelab.runtime.engine;

/**
 * The speculation context of an engine whose executor can draft with a model it holds: a speculator that drafts
 * there (layer-skip, draft-model) asks for it from {@code propose} instead of returning drafts. The executor writes
 * the drafts straight onto the decoding sequences ({@link Executor#selfDraft}).
 */
public interface ModelDrafting {
    /**
     * Drafts up to {@code draftTokens} tokens for every decoding sequence with the executor's model: its first
     * {@code layers} layers (0: half of them), or {@code -1} for the separate draft model.
     */
    void draftWithModel(int layers, int draftTokens);
}

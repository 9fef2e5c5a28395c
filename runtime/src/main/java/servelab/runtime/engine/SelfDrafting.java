package servelab.runtime.engine;

/**
 * A speculator whose drafts the executor computes with the target model itself (layer-skip): the engine asks the
 * executor ({@link Executor#selfDraft}) instead of calling {@code propose}.
 */
public interface SelfDrafting {
    /** Leading layers of the target that make the draft model (0: half of them); -1: the separate draft model. */
    int layers();

    /** Draft tokens per sequence and step. */
    int draftTokens();
}

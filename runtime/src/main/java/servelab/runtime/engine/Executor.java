package servelab.runtime.engine;

/**
 * Runs one committed step. The simulated executor prices it with a cost model; the model executor runs a real
 * forward pass and samples tokens. Either way the engine applies the results the same way, so policies cannot tell
 * the worlds apart.
 */
public interface Executor {
    /**
     * Executes {@code batch} and returns its duration in nanoseconds (> 0). An executor that {@link #producesTokens()
     * produces tokens} calls {@link StepResult#emit} on {@code result} for every item that {@link StepBatch#samples
     * samples}; one that does not reports each verification's accepted drafts with {@link StepResult#accept}.
     */
    long execute(StepBatch batch, StepResult result);

    /** One line for run.json, e.g. {@code simulated: roofline llama-3-8b on h100-80gb}. */
    String describe();

    /**
     * The token ids of the executor's model, or {@code null} when it computes nothing (the simulated executor): then
     * prompt and output tokens are only identities for the prefix cache.
     */
    default TokenSpace tokenSpace() {
        return null;
    }

    /** Whether {@link #execute} emits real sampled tokens. */
    default boolean producesTokens() {
        return tokenSpace() != null;
    }

    /**
     * Drafts up to {@code draftTokens} tokens for each sequence of {@code batch} with the first {@code layers} layers
     * of the executor's own model (layer-skip self-speculation) and returns the nanoseconds it took (added to the
     * step). Executors without a model cannot.
     */
    default long selfDraft(SelfDraftBatch batch, int layers, int draftTokens) {
        throw new CannotDraft(describe() + " cannot draft with its own model's layers (layer-skip needs the model "
                + "executor, or the simulated one)");
    }

    /**
     * The executor cannot draft as asked (no model, or no draft model): the speculator that asked is at fault, and a
     * swap to it mid-run is reverted rather than the run stopped.
     */
    final class CannotDraft extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public CannotDraft(String message) {
            super(message);
        }
    }

    /** Longest sequence (prompt plus output tokens) the executor can run; longer requests fail at arrival. */
    default int maxSequenceTokens() {
        return Integer.MAX_VALUE;
    }
}

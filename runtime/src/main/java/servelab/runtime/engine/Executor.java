package servelab.runtime.engine;

/**
 * Runs one committed step. The simulated executor prices it with a cost model; the model executor runs a real
 * forward pass. Either way the engine applies the results the same way, so policies cannot tell the worlds apart.
 */
public interface Executor {
    /** Executes {@code batch} and returns its duration in nanoseconds (> 0). */
    long execute(StepBatch batch);

    /** One line for run.json, e.g. {@code simulated: roofline llama-3-8b on h100-80gb}. */
    String describe();
}

package servelab.runtime.exec;

import java.util.Map;

import servelab.runtime.engine.Executor;

/**
 * The executors a run can use, a closed set: {@link SimulatedSetup} (cost model, virtual clock), {@link
 * ModelSetup} (a GGUF model on the kernels, wall clock) and {@link EmulatedSetup} (the cost model paced on the wall
 * clock). Each is opened with the run's plugin choices where some are not servable, and refuses those before
 * loading anything; then it sizes the KV pool when the experiment does not, makes one executor per replica, describes itself
 * for run.json, and frees what it loaded when closed.
 *
 * {@snippet :
 * try (ExecutorSetup setup = SimulatedSetup.open(new SimulatedSetup.Settings("llama-3-8b/h100-80gb",
 *         new AcceptanceModel(List.of(0.7), seed), 0))) {
 *     int blocks = setup.defaultKvBlocks(16);
 *     Executor executor = setup.executor(0, 16, blocks, 0);
 *     setup.describe(runJson); // executor, backend, profile
 * }
 * }
 */
public sealed interface ExecutorSetup extends AutoCloseable permits SimulatedSetup, ModelSetup, EmulatedSetup {

    /** Device KV blocks of {@code blockSize} tokens per replica when the experiment does not give {@code kv.blocks}. */
    int defaultKvBlocks(int blockSize);

    /**
     * A new executor for replica {@code replica}, over device blocks {@code 0 .. blocks - 1} of {@code blockSize}
     * tokens and {@code hostBlocks} host-tier slots.
     */
    Executor executor(int replica, int blockSize, int blocks, int hostBlocks);

    /**
     * The model load of a replica's cold start (after a crash, or when the autoscaler starts it), nanoseconds on
     * the run's clock: the profile's weight bytes over its load bandwidth ({@link
     * servelab.runtime.exec.cost.CostModel#modelLoadNanos()}); 0 for the model executor, whose weights stay mapped.
     */
    long modelLoadNanos();

    /**
     * Adds to run.json's {@code info}, in this order: {@code executor} (the first replica's executor line), {@code
     * backend}, and what else the executor's world needs (see RESULTS-SCHEMA). Called after the executors are made.
     */
    void describe(Map<String, Object> info);

    /** Frees what the executors and the setup hold (device memory, mapped model files). */
    @Override
    void close();
}

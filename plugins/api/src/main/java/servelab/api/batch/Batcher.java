package servelab.api.batch;

import org.osgi.annotation.versioning.ConsumerType;

import servelab.api.sched.Ordering;

/**
 * Forms one step's batch. Called once per engine step, after the scheduler, on the engine's thread.
 *
 * <p>The batcher owns its budgets ({@code max_num_seqs}, {@code max_num_batched_tokens} are its parameters) and
 * must respect KV capacity as {@link BatchContext} reports it; the engine re-checks every plan and rejects an
 * invalid one with an error that names this plugin, so a buggy batcher cannot corrupt engine state. An empty plan
 * while sequences wait and memory is free stalls the run; the engine reports that as an error too.
 */
@ConsumerType
@FunctionalInterface
public interface Batcher {
    /**
     * Appends this step's work to {@code plan}.
     *
     * @param order candidates, most urgent first
     * @param ctx   memory and clock
     * @param plan  an empty plan owned by the engine, valid for this call only
     */
    void plan(Ordering order, BatchContext ctx, BatchPlan plan);
}

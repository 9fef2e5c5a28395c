/**
 * The engine: engine-owned request state and KV memory, and the iteration loop that asks the policies in the
 * replica's {@link servelab.runtime.engine.PolicySlot slots} for a plan, checks it, commits it and runs it.
 *
 * <p>{@link servelab.runtime.engine.Replica#step(long)} keeps the queues and runs the stages in DESIGN's order,
 * each a part it is handed: {@code Policies} (slots), {@code Speculation} (propose, verified), {@code PolicyViews}
 * and {@code PlanBuilder} (order, plan), {@code PlanChecks} (check), {@code KvManager} (commit: the one KV
 * protocol, also driven by {@link servelab.runtime.engine.CacheReplay}), the {@link servelab.runtime.engine.Executor}
 * (execute: it reads a {@link servelab.runtime.engine.StepBatch} and fills a
 * {@link servelab.runtime.engine.StepResult}), then apply and record. Events are a sealed
 * {@link servelab.runtime.engine.EngineEvent}. runtime/README.md has the table.
 *
 * <p>Nothing here knows about OSGi: the host adapts plugin services into slots, so engine tests run without a
 * framework. A simulated run is driven by {@link servelab.runtime.engine.Simulation}. The built-in plugins live in
 * {@code servelab.runtime.builtin}.
 */
package servelab.runtime.engine;

/**
 * The engine: engine-owned request state and KV memory, and the iteration loop that asks the policies in the
 * replica's {@link servelab.runtime.engine.PolicySlot slots} for a plan, checks it, commits it and runs it.
 *
 * <p>Nothing here knows about OSGi: the host adapts plugin services into slots, so engine tests run without a
 * framework. A simulated run is driven by {@link servelab.runtime.engine.Simulation}; one step of one replica is
 * {@link servelab.runtime.engine.Replica#step(long)}.
 */
package servelab.runtime.engine;

/**
 * The plugin testkit: a public abstract contract test for every plugin kind, and {@link servelab.testkit.TinyEngine},
 * a one-replica engine written against the SPI only, for a plugin's own unit tests. A bundle uses this jar in test
 * scope (plugins/bundle-parent wires it) and runs its kind's contract with one small subclass:
 *
 * {@snippet :
 * class ShortestPromptSchedulerTest extends SchedulerContractTest {
 *     @Override
 *     protected PluginFactory<Scheduler> factory() {
 *         return new ShortestPromptScheduler();
 *     }
 * }
 * }
 *
 * <p>A contract checks what the engine relies on (an ordering is a permutation, a plan respects budgets and
 * memory, a prefix match never exceeds what was inserted, an eviction picks only a released block, a route is in
 * range, a rejection has a reason), not a policy's behaviour; the subclass adds tests of its own behaviour.
 * Override {@code parameterSets()} to check parameter sets that take other code paths.
 *
 * <p>The cluster-scope kinds that are not asked about one request on one replica have value views for their
 * tests: {@link servelab.testkit.FakeCluster} (routing, admission), {@link servelab.testkit.GatewaySnapshot} and
 * {@link servelab.testkit.AttemptEnds} (retry, hedge, breaker), {@link servelab.testkit.FleetSnapshot}
 * (autoscaler); each also draws seeded random ones, extremes included, for the contracts.
 */
package servelab.testkit;

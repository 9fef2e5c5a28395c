/**
 * The client side of a cluster: what happens when an attempt at a request fails, is slow, or goes to a replica
 * that keeps failing. Three cluster-scope kinds, each a small policy the gateway (between the trace and the router)
 * asks at one point of a request's life, so each can be swapped while a run goes on:
 *
 * <ul>
 *   <li>{@link servelab.api.resilience.RetryPolicy} (kind {@code retry}): an attempt failed (its replica crashed,
 *       could not be reached, no replica was available, or it timed out); retry after a delay, or give up.</li>
 *   <li>{@link servelab.api.resilience.HedgePolicy} (kind {@code hedge}): an attempt was sent; after how long, with
 *       no answer yet, a second copy goes to another replica. The first answer wins and the loser is cancelled (its
 *       KV freed at once).</li>
 *   <li>{@link servelab.api.resilience.Breaker} (kind {@code breaker}): which replicas the gateway lets the router
 *       choose, learnt from every attempt's end (circuit breakers, outlier ejection).</li>
 * </ul>
 *
 * <p>Request deadlines, idempotency keys and the fallback replica group are settings of the gateway rather than
 * policies (the experiment's {@code gateway:} block): each has one sensible mechanism and a few numbers.
 *
 * <p>Time is the run's clock: the virtual clock in a simulation, the wall clock on a real executor. Randomness
 * (jitter) comes from {@link servelab.api.resilience.AttemptEnd#seed()}, fixed per run seed, request and attempt,
 * so a run replays exactly whatever order the policies are asked in.
 *
 * {@snippet :
 * RetryPolicy threeTries = (end, gateway) -> end.attempt() < 2
 *         ? new RetryPolicy.Retry(100_000_000L << end.attempt())
 *         : new RetryPolicy.GiveUp("3 attempts failed");
 * HedgePolicy afterP95 = (request, gateway) -> gateway.recentLatencyNanos(0.95);
 * }
 */
@Version("1.0.0")
package servelab.api.resilience;

import org.osgi.annotation.versioning.Version;

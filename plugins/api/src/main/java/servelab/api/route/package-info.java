/**
 * Routing and admission: whether a request is served (and how), and which replica serves it.
 *
 * <p>Policies read a {@link servelab.api.route.RequestView} (lengths, priority, tenant, session key, the prompt's
 * {@link servelab.api.route.BlockHashes}) and one {@link servelab.api.route.ReplicaView} per replica (queues in
 * requests and tokens, KV use, prefix-cache overlap, recent TTFT and ITL), a snapshot that may be stale by the
 * cluster's view refresh interval. Views are lazy: a router pays only for what it reads.
 *
 * <p>Version 1.1.0 (compatible with 1.0.0): the views grew defaulted accessors, {@code BlockHashes} and
 * {@code PrefixKnowledge} are new, and {@code Admission.Decision} gained {@code Degrade} (cap the output or send
 * to another replica group). Code that switches over decisions must handle it; policies written for 1.0.0 run
 * unchanged.
 *
 * {@snippet :
 * Router leastLoaded = (request, replicas) -> replicas.stream()
 *         .min(Comparator.comparingLong(r -> r.waitingTokens() + r.runningTokens())).orElseThrow().index();
 * Router longestPrefix = (request, replicas) -> replicas.stream()
 *         .max(Comparator.comparingInt(r -> r.cachedPrefixBlocks(request.promptBlocks()))).orElseThrow().index();
 * Admission boundedQueue = (request, replicas) -> replicas.stream().allMatch(r -> r.waitingRequests() >= 64)
 *         ? new Admission.Reject("every replica has 64 waiting requests")
 *         : Admission.ADMIT;
 * }
 */
@Version("1.1.0")
package servelab.api.route;

import org.osgi.annotation.versioning.Version;

package servelab.runtime.experiment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import servelab.runtime.cluster.Delay;

/**
 * The cluster around the replicas: groups of replicas with their own hardware and plugins, the network between
 * client, router and replicas, and what the router sees.
 *
 * @param viewRefreshMs how often the router's view of replica load and cache contents is refreshed, ms (0: the
 *                      view is always exact; BLIS's stale-snapshot study uses 10 and 100)
 * @param prefixView    how the view knows replicas' cache contents: {@code precise} (from each replica's own cache
 *                      events, llm-d's precise mode) or {@code estimated} (from the router's own past decisions)
 * @param sessionKey    what a request's session key is: {@code auto} (the tenant when the trace has tenants, else
 *                      the first prefix block, else none), {@code tenant}, {@code first_block} or {@code none}
 * @param network       one-way delays
 * @param groups        replica groups in index order; their counts add up to {@code replicas} (empty: one group)
 */
public record ClusterSpec(double viewRefreshMs, String prefixView, String sessionKey, NetworkSpec network,
                          List<GroupSpec> groups) {
    static final List<String> SESSION_KEYS = List.of("auto", "tenant", "first_block", "none"); // before DEFAULT
    public static final ClusterSpec DEFAULT = new ClusterSpec(0, null, null, null, null);

    public ClusterSpec {
        if (!(viewRefreshMs >= 0) || viewRefreshMs > AutoscalingSpec.MAX_MS) {
            throw new IllegalArgumentException("cluster.view_refresh_ms must be in [0, 1e12] ms, was " + viewRefreshMs);
        }
        prefixView = prefixView == null ? "precise" : prefixView;
        if (!Set.of("precise", "estimated").contains(prefixView)) {
            throw new IllegalArgumentException("cluster.prefix_view '" + prefixView + "' is unknown; accepted: "
                    + "precise, estimated");
        }
        sessionKey = sessionKey == null ? "auto" : sessionKey;
        if (!SESSION_KEYS.contains(sessionKey)) {
            throw new IllegalArgumentException("cluster.session_key '" + sessionKey + "' is not a session column "
                    + "of the trace; accepted: " + String.join(", ", SESSION_KEYS));
        }
        network = network == null ? NetworkSpec.NONE : network;
        groups = groups == null ? List.of() : List.copyOf(groups);
        var names = new java.util.HashSet<String>();
        for (int i = 0; i < groups.size(); i++) {
            // an unnamed group is "g" and its index (Experiment.groupNames): two of them are two groups
            String name = groups.get(i).name() == null ? "g" + i : groups.get(i).name();
            if (!names.add(name)) {
                throw new IllegalArgumentException("cluster.groups[" + i + "].name '" + name + "' is used twice");
            }
        }
    }

    /** Replicas the groups add up to (0 when there are no groups). */
    int groupedReplicas() {
        return groups.stream().mapToInt(GroupSpec::count).sum();
    }

    /**
     * One group of identical replicas. Missing fields take the experiment's values.
     *
     * @param name    group name, recorded in cluster.arrow (default {@code g0}, {@code g1}, ...)
     * @param count   replicas in the group, &gt;= 1
     * @param profile cost-model profile (heterogeneous hardware)
     * @param kvBlocks KV blocks per replica (0: what the profile's memory holds, or the experiment's kv.blocks)
     * @param plugins plugins of the replica kinds (scheduler, batcher, ...) that differ from the experiment's
     */
    public record GroupSpec(String name, int count, String profile, int kvBlocks,
                            Map<String, PluginSpec> plugins) {
        public GroupSpec {
            if (count < 1) throw new IllegalArgumentException("cluster.groups: count must be >= 1, was " + count
                    + (name == null ? "" : " (group " + name + ")"));
            if (kvBlocks < 0) throw new IllegalArgumentException("cluster.groups: kv_blocks must be >= 0, was "
                    + kvBlocks + (name == null ? "" : " (group " + name + ")"));
            plugins = plugins == null ? Map.of() : new LinkedHashMap<>(plugins);
        }
    }

    /**
     * One-way delays of the three legs a request crosses. Each is a {@link DelaySpec}; absent means none.
     *
     * @param clientRouter  client to router (the request)
     * @param routerReplica router to the chosen replica (the request)
     * @param replicaClient replica to client (every token and the completion)
     * @param seed          seed of the delay draws (default: the experiment's seed)
     */
    public record NetworkSpec(DelaySpec clientRouter, DelaySpec routerReplica, DelaySpec replicaClient, Long seed) {
        public static final NetworkSpec NONE = new NetworkSpec(null, null, null, null);

        public Delay clientRouterDelay() {
            return DelaySpec.delay(clientRouter, "cluster.network.client_router");
        }

        public Delay routerReplicaDelay() {
            return DelaySpec.delay(routerReplica, "cluster.network.router_replica");
        }

        public Delay replicaClientDelay() {
            return DelaySpec.delay(replicaClient, "cluster.network.replica_client");
        }

        public NetworkSpec {
            DelaySpec.delay(clientRouter, "cluster.network.client_router"); // checked here, where the key is known
            DelaySpec.delay(routerReplica, "cluster.network.router_replica");
            DelaySpec.delay(replicaClient, "cluster.network.replica_client");
        }
    }

    /**
     * A delay as written: {@code {dist: fixed, ms}}, {@code {dist: uniform, min_ms, max_ms}},
     * {@code {dist: exponential, min_ms, mean_ms}} or {@code {dist: lognormal, median_ms, sigma}}.
     */
    public record DelaySpec(String dist, Double ms, Double minMs, Double maxMs, Double meanMs, Double medianMs,
                            Double sigma) {

        static Delay delay(DelaySpec spec, String key) {
            if (spec == null) return Delay.NONE;
            String dist = spec.dist == null ? "fixed" : spec.dist;
            // keys of another distribution were accepted and dropped ({dist: fixed, ms: 1, sigma: 3} ran as fixed)
            var given = new java.util.LinkedHashMap<String, Object>();
            given.put("ms", spec.ms);
            given.put("min_ms", spec.minMs);
            given.put("max_ms", spec.maxMs);
            given.put("mean_ms", spec.meanMs);
            given.put("median_ms", spec.medianMs);
            given.put("sigma", spec.sigma);
            var accepted = switch (dist) {
                case "fixed" -> List.of("ms");
                case "uniform" -> List.of("min_ms", "max_ms");
                case "exponential" -> List.of("min_ms", "mean_ms");
                case "lognormal" -> List.of("median_ms", "sigma");
                default -> given.keySet().stream().toList();
            };
            for (var e : given.entrySet()) {
                if (e.getValue() != null && !accepted.contains(e.getKey())) {
                    throw new IllegalArgumentException(key + "." + e.getKey() + " does not apply to dist " + dist
                            + "; accepted there: dist, " + String.join(", ", accepted));
                }
            }
            try {
                return switch (dist) {
                    case "fixed" -> new Delay.Fixed(nanos(key + ".ms", spec.ms, 0));
                    case "uniform" -> new Delay.Uniform(nanos(key + ".min_ms", spec.minMs, 0),
                            nanos(key + ".max_ms", spec.maxMs, spec.minMs == null ? 0 : spec.minMs));
                    case "exponential" -> new Delay.Exponential(nanos(key + ".min_ms", spec.minMs, 0),
                            nanos(key + ".mean_ms", spec.meanMs, 1));
                    case "lognormal" -> new Delay.LogNormal(nanos(key + ".median_ms", spec.medianMs, 1),
                            sigma(key + ".sigma", spec.sigma == null ? 0.5 : spec.sigma));
                    default -> throw new IllegalArgumentException(key + ".dist '" + dist + "' is unknown; accepted: "
                            + "fixed, uniform, exponential, lognormal");
                };
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith(key)) throw e;
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        }

        /** A lognormal's shape: 0 to 10 (at 10 its p99 is e^23 times the median: no network). */
        private static double sigma(String key, double sigma) {
            if (!(sigma >= 0 && sigma <= 10)) throw new IllegalArgumentException(key + " must be in [0, 10], was " + sigma);
            return sigma;
        }

        private static long nanos(String key, Double ms, double fallbackMs) {
            double v = ms == null ? fallbackMs : ms;
            if (!(v >= 0) || v > AutoscalingSpec.MAX_MS) {
                throw new IllegalArgumentException(key + " must be in [0, 1e12] ms, was " + v);
            }
            return Math.round(v * 1e6);
        }
    }
}

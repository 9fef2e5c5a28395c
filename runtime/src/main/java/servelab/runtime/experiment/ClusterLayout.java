package servelab.runtime.experiment;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import servelab.api.PluginKind;
import servelab.runtime.cluster.Network;
import servelab.runtime.cluster.SessionKey;
import servelab.runtime.engine.Simulation;
import servelab.runtime.host.PluginSelection;

/**
 * An experiment's replicas one by one: the group each belongs to, its cost-model profile, its KV size and its
 * plugins (the experiment's, with the group's overrides), and the cluster options of the simulation.
 */
final class ClusterLayout {

    /** One replica's hardware and plugins; {@code kvBlocks} 0 means what its profile's memory holds. */
    record ReplicaPlan(String group, String profile, int kvBlocks, Map<PluginKind, PluginSelection> selections) {}

    private ClusterLayout() {}

    static List<ReplicaPlan> replicas(Experiment exp) {
        var base = ExperimentRunner.selections(exp);
        var plans = new ArrayList<ReplicaPlan>();
        if (exp.cluster().groups().isEmpty()) {
            for (int r = 0; r < exp.replicas(); r++) plans.add(new ReplicaPlan("default", exp.profile(), exp.kv().blocks(), base));
            return plans;
        }
        var groups = exp.cluster().groups();
        for (int g = 0; g < groups.size(); g++) {
            var group = groups.get(g);
            String name = Experiment.groupNames(exp.cluster()).get(g);
            var selections = new EnumMap<>(base);
            int at = g;
            group.plugins().forEach((kind, spec) -> {
                var k = PluginKind.fromId(kind);
                String plugin = spec.name() != null ? spec.name() : base.get(k).name();
                selections.put(k, new PluginSelection(k, plugin, spec.params(),
                        "cluster.groups[" + at + "].plugins." + kind + ".params"));
            });
            String profile = group.profile() == null ? exp.profile() : group.profile();
            int blocks = group.kvBlocks() > 0 ? group.kvBlocks() : exp.kv().blocks();
            for (int i = 0; i < group.count(); i++) plans.add(new ReplicaPlan(name, profile, blocks, Map.copyOf(selections)));
        }
        return plans;
    }

    static Simulation.Options options(Experiment exp, List<ReplicaPlan> plans) {
        var c = exp.cluster();
        var n = c.network();
        long seed = n.seed() == null ? exp.seed() : n.seed();
        var network = new Network(n.clientRouterDelay(), n.routerReplicaDelay(), n.replicaClientDelay(), seed);
        return new Simulation.Options(network, Math.round(c.viewRefreshMs() * 1e6), c.prefixView().equals("estimated"),
                SessionKey.fromId(c.sessionKey()), Math.round(exp.record().clusterIntervalMs() * 1e6),
                exp.record().routerCpu(), plans.stream().map(ReplicaPlan::group).toList(),
                exp.gateway().settings(exp.seed()));
    }

    /**
     * The cluster section of run.json: groups, network, view. A group whose replicas run other plugins than the run's
     * {@code plugins} (replica 0's) lists them, with their parameters, defaults included ({@code registry} null: none).
     * A group's {@code kv_blocks} is what its replicas hold ({@code kvBlocks} gives replica r's), a profile's default
     * included.
     */
    static Map<String, Object> describe(Experiment exp, servelab.runtime.host.PluginRegistry registry,
                                        java.util.function.IntUnaryOperator kvBlocks) {
        var c = exp.cluster();
        var info = new java.util.LinkedHashMap<String, Object>();
        info.put("view_refresh_ms", c.viewRefreshMs());
        info.put("prefix_view", c.prefixView());
        info.put("session_key", c.sessionKey());
        var n = c.network();
        info.put("network", servelab.runtime.record.Json.ordered("client_router", n.clientRouterDelay().describe(),
                "router_replica", n.routerReplicaDelay().describe(), "replica_client", n.replicaClientDelay().describe()));
        var groups = new ArrayList<Map<String, Object>>();
        String last = null;
        var plans = replicas(exp);
        for (int r = 0; r < plans.size(); r++) {
            var plan = plans.get(r);
            if (plan.group().equals(last)) {
                var g = groups.getLast();
                g.put("count", (int) g.get("count") + 1);
                continue;
            }
            last = plan.group();
            var g = new java.util.LinkedHashMap<String, Object>();
            g.put("name", plan.group());
            g.put("count", 1);
            // a model replica times its real steps: a cost profile there is not used, and null says so
            g.put("profile", exp.executor() == ExecutorKind.MODEL ? null : plan.profile());
            g.put("kv_blocks", kvBlocks.applyAsInt(r));
            if (registry != null) {
                var own = new java.util.LinkedHashMap<String, Object>();
                for (var kind : servelab.runtime.host.PluginRegistry.SLOTTED) {
                    if (kind.scope() != PluginKind.Scope.REPLICA) continue;
                    var mine = registry.current(kind, r);
                    var first = registry.current(kind);
                    if (mine.id().equals(first.id()) && mine.params().equals(first.params())) continue;
                    own.put(kind.id(), servelab.runtime.record.Json.ordered("plugin", mine.id(),
                            "params", new java.util.TreeMap<>(mine.params())));
                }
                if (!own.isEmpty()) g.put("plugins", own);
            }
            groups.add(g);
        }
        info.put("groups", groups);
        info.put("cluster_interval_ms", exp.record().clusterIntervalMs());
        return info;
    }
}

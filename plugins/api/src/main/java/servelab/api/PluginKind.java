package servelab.api;

import java.util.Arrays;
import java.util.stream.Collectors;

import servelab.api.batch.Batcher;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.HedgePolicy;
import servelab.api.resilience.RetryPolicy;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.api.scale.Autoscaler;
import servelab.api.sched.Scheduler;
import servelab.api.spec.Speculator;

/**
 * The closed set of policy kinds, and the one table of what the host and the engine need to know about each: its
 * id (the value of the {@code servelab.kind} service property and the key in experiment files), the interface its
 * plugins create, the plugin a run gets when it names none, whether the engine keeps one slot per replica or one
 * for the cluster, and what the engine hands on when a swap replaces the policy in a slot. The host's registry,
 * the engine's slot tables and the experiment defaults are all read from here.
 *
 * <h2>Adding a kind</h2>
 * <ol>
 *   <li>Put its SPI in a package of its own under {@code servelab.api} (the policy interface, its views and
 *       records), versioned in that package's {@code package-info.java}.</li>
 *   <li>Add one constant here: id, policy interface, default plugin name, {@link Scope} and {@link Handoff}. Adding
 *       a constant is a minor change of {@code servelab.api} (bump its {@code package-info.java} version; the bnd
 *       baseline check fails the build otherwise).</li>
 *   <li>Provide the default plugin (a bundle, or a built-in for a kind the engine must always have), and read the
 *       slot where the engine uses the policy: {@code slots.slot(kind, Policy.class)} on the replica's or the
 *       cluster's slot table. The registry then creates, swaps and reports the kind by itself; an experiment may
 *       select it under its id; {@code run.json} lists it.</li>
 *   <li>If a swap must hand state on in a way no {@link Handoff} describes, add a constant there and handle it
 *       where the engine reads its slots.</li>
 * </ol>
 */
public enum PluginKind {
    SCHEDULER("scheduler", Scheduler.class, "fcfs", Scope.REPLICA, Handoff.NOTHING),
    BATCHER("batcher", Batcher.class, "continuous", Scope.REPLICA, Handoff.NOTHING),
    KV_ALLOCATOR("kv-allocator", KvAllocator.class, "paged", Scope.REPLICA, Handoff.NOTHING),
    PREFIX_CACHE("prefix-cache", PrefixCache.class, "none", Scope.REPLICA, Handoff.COLD_INDEX),
    EVICTION("eviction", Eviction.class, "lru", Scope.REPLICA, Handoff.CACHED_BLOCKS),
    SPECULATOR("speculator", Speculator.class, "none", Scope.REPLICA, Handoff.NOTHING),
    ROUTER("router", Router.class, "round-robin", Scope.CLUSTER, Handoff.NOTHING),
    ADMISSION("admission", Admission.class, "accept-all", Scope.CLUSTER, Handoff.NOTHING),
    RETRY("retry", RetryPolicy.class, "none", Scope.CLUSTER, Handoff.NOTHING),
    HEDGE("hedge", HedgePolicy.class, "none", Scope.CLUSTER, Handoff.NOTHING),
    BREAKER("breaker", Breaker.class, "none", Scope.CLUSTER, Handoff.NOTHING),
    AUTOSCALER("autoscaler", Autoscaler.class, "none", Scope.CLUSTER, Handoff.NOTHING);

    /** Where the engine keeps a kind's slots. */
    public enum Scope {
        /** One slot per replica: each replica has its own instance (schedulers, batchers, caches, ...). */
        REPLICA,
        /** One slot for the whole cluster, read before requests reach a replica (routers, admission). */
        CLUSTER
    }

    /** What the engine hands to the new policy when a swap replaces the one in a slot. */
    public enum Handoff {
        /**
         * Nothing: the new policy starts from its own empty state and learns the rest from the views of the next
         * step (queues, sequences, budgets).
         */
        NOTHING,
        /** Every cached (evictable) block is announced to the new policy before it is first asked for a victim. */
        CACHED_BLOCKS,
        /**
         * The new index starts cold: blocks the old one indexed are dropped from the device's cache and from the
         * host tier, so no block is reachable through an index that never saw it.
         */
        COLD_INDEX
    }

    private final String id;
    private final Class<?> policyType;
    private final String defaultPlugin;
    private final Scope scope;
    private final Handoff handoff;

    PluginKind(String id, Class<?> policyType, String defaultPlugin, Scope scope, Handoff handoff) {
        this.id = id;
        this.policyType = policyType;
        this.defaultPlugin = defaultPlugin;
        this.scope = scope;
        this.handoff = handoff;
    }

    /** The kind's name in experiment files, service properties and results, for example {@code kv-allocator}. */
    public String id() {
        return id;
    }

    /** The interface a plugin of this kind creates. */
    public Class<?> policyType() {
        return policyType;
    }

    /** The name of the plugin a run gets when it selects none of this kind, for example {@code fcfs}. */
    public String defaultPlugin() {
        return defaultPlugin;
    }

    /** Whether each replica has a slot of this kind, or the cluster has one. */
    public Scope scope() {
        return scope;
    }

    /** What a swap hands on to the new policy. */
    public Handoff handoff() {
        return handoff;
    }

    /**
     * The kind named {@code id}.
     *
     * @throws IllegalArgumentException naming the value and listing the accepted ids
     */
    public static PluginKind fromId(String id) {
        for (var kind : values()) {
            if (kind.id.equals(id)) return kind;
        }
        throw new IllegalArgumentException("unknown plugin kind '" + id + "'; accepted: "
                + Arrays.stream(values()).map(PluginKind::id).collect(Collectors.joining(", ")));
    }

    @Override
    public String toString() {
        return id;
    }
}

package servelab.runtime.engine;

import java.util.Map;

import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.api.sched.Scheduler;
import servelab.api.spec.Speculator;

/** The policy slots of one replica: one per kind of {@link PluginKind.Scope#REPLICA replica scope}. */
public final class ReplicaSlots extends SlotTable {

    /** @param slots one slot per replica-scope kind */
    public ReplicaSlots(Map<PluginKind, ? extends PolicySlot<?>> slots) {
        super(PluginKind.Scope.REPLICA, slots);
    }

    /** Slots of today's replica kinds (for tests and benchmarks that wire an engine by hand). */
    public ReplicaSlots(PolicySlot<Scheduler> scheduler, PolicySlot<Batcher> batcher, PolicySlot<KvAllocator> kvAllocator,
                        PolicySlot<PrefixCache> prefixCache, PolicySlot<Eviction> eviction,
                        PolicySlot<Speculator> speculator) {
        this(Map.of(PluginKind.SCHEDULER, scheduler, PluginKind.BATCHER, batcher, PluginKind.KV_ALLOCATOR, kvAllocator,
                PluginKind.PREFIX_CACHE, prefixCache, PluginKind.EVICTION, eviction, PluginKind.SPECULATOR, speculator));
    }

    public PolicySlot<Scheduler> scheduler() {
        return slot(PluginKind.SCHEDULER, Scheduler.class);
    }

    public PolicySlot<Batcher> batcher() {
        return slot(PluginKind.BATCHER, Batcher.class);
    }

    public PolicySlot<KvAllocator> kvAllocator() {
        return slot(PluginKind.KV_ALLOCATOR, KvAllocator.class);
    }

    public PolicySlot<PrefixCache> prefixCache() {
        return slot(PluginKind.PREFIX_CACHE, PrefixCache.class);
    }

    public PolicySlot<Eviction> eviction() {
        return slot(PluginKind.EVICTION, Eviction.class);
    }

    public PolicySlot<Speculator> speculator() {
        return slot(PluginKind.SPECULATOR, Speculator.class);
    }
}

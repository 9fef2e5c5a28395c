package servelab.runtime.engine;

import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.api.sched.Scheduler;
import servelab.api.spec.Speculator;

/**
 * The policies a replica runs this step, read from its {@link ReplicaSlots} at every step boundary: a changed slot
 * is reported as a swap, and the KV manager is told when its eviction policy or prefix cache changed. A scheduler
 * or batcher that faults is reverted to the previous one when there is one.
 */
final class Policies {
    private final int replica;
    private final ReplicaSlots slots;
    private final ResultSink sink;
    PolicySlot.Installed<Scheduler> scheduler;
    PolicySlot.Installed<Batcher> batcher;
    PolicySlot.Installed<KvAllocator> kvAllocator;
    PolicySlot.Installed<PrefixCache> prefixCache;
    PolicySlot.Installed<Eviction> eviction;
    PolicySlot.Installed<Speculator> speculator;
    private boolean prefixCaching;
    private String prefixCacheLabel; // kept, not rebuilt: handTo runs every step

    Policies(int replica, ReplicaSlots slots, ResultSink sink) {
        this.replica = replica;
        this.slots = slots;
        this.sink = sink;
        this.scheduler = slots.scheduler().current();
        this.batcher = slots.batcher().current();
        this.kvAllocator = slots.kvAllocator().current();
        this.prefixCache = slots.prefixCache().current();
        this.eviction = slots.eviction().current();
        this.speculator = slots.speculator().current();
        this.prefixCaching = isCache(prefixCache);
        this.prefixCacheLabel = prefixCache.descriptor().label();
    }

    /** Whether the prefix cache in use is a real one, not the built-in {@code none}. */
    boolean prefixCaching() {
        return prefixCaching;
    }

    private static boolean isCache(PolicySlot.Installed<PrefixCache> cache) {
        return !cache.descriptor().name().equals(PluginKind.PREFIX_CACHE.defaultPlugin());
    }

    /** Reads every slot at a step boundary and hands the KV policies to {@code kv}. */
    void read(long now, long iteration, KvManager kv) {
        scheduler = swapIfChanged(slots.scheduler(), scheduler, now, iteration, kv);
        speculator = swapIfChanged(slots.speculator(), speculator, now, iteration, kv);
        batcher = swapIfChanged(slots.batcher(), batcher, now, iteration, kv);
        kvAllocator = swapIfChanged(slots.kvAllocator(), kvAllocator, now, iteration, kv);
        // eviction before the prefix cache: a cold index drops its blocks into the new eviction policy
        eviction = swapIfChanged(slots.eviction(), eviction, now, iteration, kv);
        var cacheBefore = prefixCache;
        prefixCache = swapIfChanged(slots.prefixCache(), prefixCache, now, iteration, kv);
        if (prefixCache != cacheBefore) {
            prefixCaching = isCache(prefixCache);
            prefixCacheLabel = prefixCache.descriptor().label();
        }
        handTo(kv);
    }

    /** Gives {@code kv} the KV policies in use. */
    void handTo(KvManager kv) {
        kv.use(kvAllocator.policy(), prefixCache.policy(), prefixCache, prefixCacheLabel,
                eviction.policy());
    }

    private <T> PolicySlot.Installed<T> swapIfChanged(PolicySlot<T> slot, PolicySlot.Installed<T> inUse, long now,
                                                     long iteration, KvManager kv) {
        if (slot.current() == inUse) return inUse; // the common case: one volatile read per slot and step
        var from = inUse;
        for (var next : slot.changesSince(inUse)) {
            sink.event(EngineEvent.PolicySwap.of(now, iteration, replica, from, next));
            from = next;
        }
        if (from != inUse) handOn(from.descriptor().kind().handoff(), from.policy(), kv);
        return from;
    }

    /** What a swap hands to the new policy, as its kind's table entry says ({@link PluginKind}). */
    private void handOn(PluginKind.Handoff handoff, Object policy, KvManager kv) {
        switch (handoff) {
            case NOTHING -> { }
            case CACHED_BLOCKS -> kv.evictionSwapped((Eviction) policy); // every candidate
            case COLD_INDEX -> kv.prefixCacheSwapped(eviction.policy()); // cold, and so are offloaded blocks
        }
    }

    /**
     * The scheduler (or the batcher) failed while planning: it is reported and reverted.
     *
     * @throws EngineException when no earlier policy of its kind can take over
     */
    void planFault(Throwable fault, boolean schedulerFault, long now, long iteration) {
        var culprit = schedulerFault ? scheduler : batcher;
        String what = culprit.descriptor().label() + " (" + culprit.id() + ", from " + culprit.source() + ")";
        String reason = fault.getClass().getSimpleName() + ": " + fault.getMessage();
        boolean reverted = schedulerFault ? slots.scheduler().revert(scheduler) : slots.batcher().revert(batcher);
        sink.event(new EngineEvent.PolicyFault(now, iteration, replica, culprit.descriptor().kind().id(),
                culprit.id(), reverted, reason));
        if (!reverted) {
            throw new EngineException(what + " failed at iteration " + iteration + " and no earlier "
                    + culprit.descriptor().kind().id() + " can take over: " + reason, fault);
        }
    }
}

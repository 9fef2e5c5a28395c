package servelab.runtime.engine;

import java.util.Objects;

import servelab.api.spec.Speculator;

import servelab.api.batch.Batcher;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.api.sched.Scheduler;

/** The policy slots of one replica. */
public record ReplicaSlots(PolicySlot<Scheduler> scheduler, PolicySlot<Batcher> batcher,
                           PolicySlot<KvAllocator> kvAllocator, PolicySlot<PrefixCache> prefixCache,
                           PolicySlot<Eviction> eviction, PolicySlot<Speculator> speculator) {
    public ReplicaSlots {
        Objects.requireNonNull(scheduler, "scheduler slot");
        Objects.requireNonNull(batcher, "batcher slot");
        Objects.requireNonNull(kvAllocator, "kv-allocator slot");
        Objects.requireNonNull(prefixCache, "prefix-cache slot");
        Objects.requireNonNull(eviction, "eviction slot");
        Objects.requireNonNull(speculator, "speculator slot");
    }

    /** Slots without speculative decoding (the {@code none} speculator). */
    public ReplicaSlots(PolicySlot<Scheduler> scheduler, PolicySlot<Batcher> batcher, PolicySlot<KvAllocator> kvAllocator,
                        PolicySlot<PrefixCache> prefixCache, PolicySlot<Eviction> eviction) {
        this(scheduler, batcher, kvAllocator, prefixCache, eviction, new PolicySlot<>(Speculators.noneInstalled()));
    }
}

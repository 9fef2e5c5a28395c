package servelab.api.kv;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Chooses which cached, unreferenced KV block the engine reuses when it needs memory and no block is free.
 *
 * <p>The engine reports each indexed block's life: {@link #used} when a sequence fills it or hits it in the
 * prefix cache, {@link #released} when no running sequence references it any more (it is now a candidate), and
 * {@link #acquired} when a prefix hit references it again (no longer a candidate). {@link #evict} must return a
 * candidate: the engine checks, and blocks referenced by running sequences can therefore never be evicted.
 * Called on the engine's thread only.
 */
@ConsumerType
public interface Eviction {
    /**
     * A sequence filled block {@code blockId} or found it in the prefix cache.
     *
     * @param depth the block's position in its sequence (0 = first block): deeper blocks cost more to recompute
     */
    void used(int blockId, int depth, long nowNanos);

    /** No sequence references {@code blockId} any more: it may be evicted. */
    void released(int blockId, long nowNanos);

    /** A prefix hit references {@code blockId} again: it may not be evicted until released. */
    void acquired(int blockId, long nowNanos);

    /** Picks a released block, forgets it, and returns its id; -1 when no block is released. */
    int evict(long nowNanos);
}

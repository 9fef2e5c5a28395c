package servelab.api.kv;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Chooses which cached, unreferenced block the engine reuses when it needs memory. Blocks referenced by a running
 * sequence are never offered, so a policy cannot evict memory in use.
 */
@ConsumerType
public interface Eviction {
    /** {@code blockId} holds cached content and no sequence references it any more: it may be evicted. */
    void released(int blockId, long nowNanos);

    /** A sequence references {@code blockId} again (a prefix hit): it may not be evicted until released. */
    void acquired(int blockId, long nowNanos);

    /** Picks a released block, removes it from the policy's structure and returns it; -1 when none is released. */
    int evict(long nowNanos);
}

package servelab.runtime.engine;

import java.util.Arrays;

/**
 * A waiting sequence's prefix match for one plan attempt, kept by the {@link KvManager} between attempts so the
 * next one extends it instead of redoing it: the device blocks the prefix cache hit, then the continuation found
 * through the host tier. Arrays grow to the longest match seen and are reused.
 */
final class PrefixMatch {
    /** Device blocks of the hit, in token order, and each one's generation when matched. */
    int[] ids = new int[0];
    int[] generations = new int[0];
    int blocks;
    /** Of the hit blocks, those no sequence references (they leave the free pool when held). */
    int cachedBlocks;
    /** Plan attempt the match was made for, and the prefix cache it was made with. */
    long stamp = -1;
    Object cache;
    /**
     * Continuation past the device hit, once the host tier holds the next block: for blocks {@code blocks,
     * blocks + 1, ...}, a host slot ({@code >= 0}), or {@code ~block} for a device block still holding the chain's
     * content; {@code hostDeviceBlocks} of the latter, of which {@code hostCachedBlocks} no sequence references.
     */
    int[] hostSlots = new int[0];
    int hostBlocks;
    int hostDeviceBlocks;
    int hostCachedBlocks;

    void clear() {
        blocks = cachedBlocks = 0;
        hostBlocks = hostDeviceBlocks = hostCachedBlocks = 0;
    }

    /** Blocks the whole match serves, device and host tier. */
    int reusableBlocks() {
        return blocks + hostBlocks;
    }

    void ensure(int maxBlocks) {
        if (ids.length >= maxBlocks) return;
        int capacity = Math.max(maxBlocks, ids.length * 2);
        ids = Arrays.copyOf(ids, capacity);
        generations = Arrays.copyOf(generations, capacity);
    }

    void ensureHost(int maxBlocks) {
        if (hostSlots.length < maxBlocks) hostSlots = new int[Math.max(maxBlocks, hostSlots.length * 2)];
    }
}

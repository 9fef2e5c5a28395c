package servelab.runtime.engine;

import servelab.api.kv.Eviction;
import servelab.api.kv.PrefixCache;

/**
 * The device's KV blocks and their reference counts. A block is in one of three states:
 * <ul>
 *   <li><b>free</b>: on the free stack, no content;</li>
 *   <li><b>referenced</b>: held by one or more sequences ({@code refCount > 0}); shared blocks come from prefix
 *       hits;</li>
 *   <li><b>cached</b>: no reference, but its content is indexed by the prefix cache, so a later request can hit
 *       it; the eviction policy may reclaim it when no block is free.</li>
 * </ul>
 * {@link #available()} (free + cached) is what batchers may plan with. Every transition is checked where it
 * happens (a double free, a negative count, an eviction policy returning a block that is not cached), so a bug
 * shows up at the operation that causes it. Nothing here allocates per operation.
 */
final class BlockPool {
    private final int[] freeStack;
    private final int[] refCount;
    private final boolean[] indexed;
    private int freeCount;
    private int cached;
    /** Per block: how often its indexed content was dropped (evicted, or the index replaced); stamps matches. */
    private final int[] generation;

    /** Whether the last {@link #allocate} evicted cached content (which the host tier may want to keep). */
    private boolean evicted;

    BlockPool(int totalBlocks) {
        if (totalBlocks < 1) throw new IllegalArgumentException("KV blocks must be >= 1, was " + totalBlocks);
        freeStack = new int[totalBlocks];
        refCount = new int[totalBlocks];
        indexed = new boolean[totalBlocks];
        generation = new int[totalBlocks];
        // push in reverse so block 0 is handed out first: small traces get readable block ids
        for (int b = totalBlocks - 1; b >= 0; b--) freeStack[freeCount++] = b;
    }

    int total() {
        return freeStack.length;
    }

    /** Blocks a plan may use: free ones and cached ones no sequence references. */
    int available() {
        return freeCount + cached;
    }

    /** Blocks referenced by at least one sequence. */
    int used() {
        return freeStack.length - freeCount - cached;
    }

    /** Unreferenced blocks whose content is indexed. */
    int cached() {
        return cached;
    }

    /** Changes whenever the block's indexed content is dropped: a match made before is stale for this block. */
    int generation(int block) {
        return generation[block];
    }

    int refCount(int block) {
        return refCount[block];
    }

    boolean isIndexed(int block) {
        return indexed[block];
    }

    /** A block for new content: a free one, else one the eviction policy gives up (and the index forgets). */
    int allocate(Eviction eviction, PrefixCache index, long now) {
        int b;
        evicted = freeCount == 0;
        if (!evicted) {
            b = freeStack[--freeCount];
        } else {
            if (cached == 0) throw new IllegalStateException("KV block pool exhausted (" + total() + " blocks)");
            b = eviction.evict(now);
            if (b < 0 || b >= total() || refCount[b] != 0 || !indexed[b]) {
                throw new IllegalStateException("eviction policy returned block " + b + ", which is not a cached, "
                        + "unreferenced block (" + cached + " such blocks exist)");
            }
            index.evicted(b);
            indexed[b] = false;
            cached--;
            generation[b]++;
        }
        refCount[b] = 1;
        return b;
    }

    /** Whether the last {@link #allocate} took a cached block, whose old content is still there until written. */
    boolean evictedLast() {
        return evicted;
    }

    /** One more reference to {@code block} (a prefix hit); a cached block stops being a candidate for eviction. */
    void acquire(int block, Eviction eviction, long now) {
        if (refCount[block] == 0) {
            if (!indexed[block]) throw new IllegalStateException("KV block " + block + " is free, not cached");
            cached--;
            eviction.acquired(block, now);
        }
        refCount[block]++;
    }

    /** One reference fewer; at zero an indexed block becomes cached (evictable), any other block free. */
    void release(int block, Eviction eviction, long now) {
        if (refCount[block] <= 0) throw new IllegalStateException("KV block " + block + " released more often than held");
        if (--refCount[block] > 0) return;
        if (indexed[block]) {
            cached++;
            eviction.released(block, now);
        } else {
            freeStack[freeCount++] = block;
        }
    }

    void markIndexed(int block) {
        indexed[block] = true;
    }

    /**
     * The prefix cache was replaced: nothing is indexed any more, and cached blocks become free. The eviction
     * policy is told each cached block is taken ({@code acquired}), so it no longer offers any of them.
     */
    void dropIndex(Eviction eviction, long now) {
        for (int b = 0; b < indexed.length; b++) {
            if (!indexed[b]) continue;
            generation[b]++;
            indexed[b] = false;
            if (refCount[b] == 0) {
                eviction.acquired(b, now);
                freeStack[freeCount++] = b;
            }
        }
        cached = 0;
    }

    /**
     * Checks the pool's bookkeeping against {@code referencesPerBlock} (how many running sequences list each
     * block); throws naming the first broken invariant. For tests: O(blocks).
     */
    void checkInvariants(int[] referencesPerBlock) {
        var onFreeStack = new boolean[total()];
        for (int i = 0; i < freeCount; i++) {
            int b = freeStack[i];
            if (onFreeStack[b]) throw new IllegalStateException("block " + b + " is on the free stack twice");
            onFreeStack[b] = true;
        }
        int cachedSeen = 0;
        for (int b = 0; b < total(); b++) {
            if (refCount[b] != referencesPerBlock[b]) {
                throw new IllegalStateException("block " + b + " has refCount " + refCount[b] + " but "
                        + referencesPerBlock[b] + " sequences hold it");
            }
            if (onFreeStack[b] && (refCount[b] != 0 || indexed[b])) {
                throw new IllegalStateException("block " + b + " is free but referenced or indexed");
            }
            if (!onFreeStack[b] && refCount[b] == 0 && !indexed[b]) {
                throw new IllegalStateException("block " + b + " is unreferenced, unindexed and not free: leaked");
            }
            if (refCount[b] == 0 && indexed[b]) cachedSeen++;
        }
        if (cachedSeen != cached) throw new IllegalStateException("cached count " + cached + " but " + cachedSeen + " cached blocks");
        if (freeCount + cached + used() != total()) throw new IllegalStateException("free + cached + used != total");
    }

    /** The eviction policy was replaced: tell the new one every current candidate. */
    void announceCached(Eviction eviction, long now) {
        for (int b = 0; b < indexed.length; b++) {
            if (indexed[b] && refCount[b] == 0) eviction.released(b, now);
        }
    }
}

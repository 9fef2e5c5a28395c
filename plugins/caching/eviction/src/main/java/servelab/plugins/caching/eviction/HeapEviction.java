package servelab.plugins.caching.eviction;

import servelab.api.kv.Eviction;

/**
 * What every policy here shares: released blocks wait in a {@link BlockHeap} under a key the policy computes at
 * each use, the smallest key is evicted, and ties go to the least recently used block. A policy only says how a
 * use changes a block's key ({@link #keyAfterUse}).
 *
 * <p>Uses are counted on a logical clock (one tick per {@link #used} call), not {@code nowNanos}: many uses share
 * one engine step, and the engine reports a prompt's blocks in order, so within a step the clock still orders a
 * prompt's first block before its last. A block's first use since this policy last evicted it (or ever) is its
 * <em>fill</em>; later uses are <em>hits</em>. A block this policy first hears of through {@link #released} (the
 * engine hands over every cached block when the policy is swapped in) has no known history: it counts as filled at
 * that moment, at depth 0.
 */
abstract class HeapEviction implements Eviction {
    /** Released blocks, by key; policies with segments keep more heaps and override {@link #heapOf}. */
    final BlockHeap candidates = new BlockHeap();
    /** Clock tick of each block's last use; 0 = not used since its fill was forgotten. */
    final BlockLongs lastUse = new BlockLongs();
    /** Each block's current key in its heap. */
    final BlockLongs key = new BlockLongs();
    private long clock;
    private long indexed;

    /** The key {@code block} gets after a use at clock tick {@code now} ({@code fill}: the first use). */
    abstract long keyAfterUse(int block, int depth, boolean fill, long now);

    /** The key a {@code block} waits under once released; by default its key after its last use. */
    long keyAtRelease(int block, long keyAfterUse) {
        return keyAfterUse;
    }

    /** The heap a released {@code block} waits in. */
    BlockHeap heapOf(int block) {
        return candidates;
    }

    /** The heap the next victim comes from. */
    BlockHeap victimHeap() {
        return candidates;
    }

    /** {@code block} (with key {@code evictedKey}) is evicted: drop what the policy keeps about it. */
    void forget(int block, long evictedKey) {
    }

    /** Blocks filled and not yet evicted, as far as this policy knows: referenced and released ones alike. */
    final long indexedBlocks() {
        return indexed;
    }

    @Override
    public final void used(int blockId, int depth, long nowNanos) {
        boolean fill = lastUse.get(blockId) == 0;
        if (fill) indexed++;
        long now = ++clock;
        lastUse.set(blockId, now);
        key.set(blockId, keyAfterUse(blockId, depth, fill, now));
    }

    @Override
    public final void released(int blockId, long nowNanos) {
        if (lastUse.get(blockId) == 0) used(blockId, 0, nowNanos); // handed over at a swap: no history known
        key.set(blockId, keyAtRelease(blockId, key.get(blockId)));
        heapOf(blockId).add(blockId, key.get(blockId), lastUse.get(blockId));
    }

    @Override
    public final void acquired(int blockId, long nowNanos) {
        heapOf(blockId).remove(blockId);
    }

    @Override
    public final int evict(long nowNanos) {
        int block = victimHeap().poll();
        if (block < 0) return -1;
        forget(block, key.get(block));
        indexed--;
        lastUse.set(block, 0);
        key.set(block, 0);
        return block;
    }
}

package servelab.runtime.engine;

import servelab.common.collect.IntLruList;
import servelab.common.collect.LongIntMap;
import java.util.Arrays;

import servelab.api.kv.TokenBlocks;

/**
 * The host-memory (CPU) tier of one replica's KV cache: {@code capacity} slots of one KV block each, shared by
 * two users.
 * <ul>
 *   <li><b>Swap preemption</b>: a swapped-out sequence's blocks, in token order, until it is admitted again. These
 *       slots are never evicted.</li>
 *   <li><b>Offload</b> (when on): when the device evicts a prefix-cache block, its content is copied here under
 *       the block's chained key instead of being lost, so a later prefix match can go on past the device's hit.
 *       Offloaded blocks are evicted least recently used first, among themselves, when a slot is needed (by a
 *       swap preemption or a newer offload). The tier is inclusive: a block reloaded to the device keeps its
 *       host copy, so evicting it from the device again costs no copy.</li>
 * </ul>
 * Like the device prefix cache, a host hit compares the stored tokens too, so a key collision never gives a
 * wrong block.
 *
 * <p>With offload on, the tier also knows which device blocks hold indexed content under which key
 * ({@link #deviceLookup}): eviction usually takes a chain's older blocks first, so after a host hit the rest of a
 * prompt's chain may still be on the device, where the prefix cache, whose match stops at the first evicted
 * block, cannot reach it.
 *
 * <p>A commit ({@link #beginCommit} .. {@link #endCommit}) is one engine step's set of copies, which the executor
 * performs swap-outs first, then swap-ins. A slot that takes part in a copy of the step is <i>busy</i> until the
 * step ends: it is not evicted, and slots read by a swap-in are freed only at {@link #endCommit}, so no slot is
 * written twice in a step nor written before it is read.
 *
 * <p>Cost: O(1) per operation (a linked LRU list over int arrays and an open-addressing key map); memory: one
 * copy of the block's tokens per offloaded slot (allocated on a slot's first use, then reused).
 */
final class HostTier {
    private static final byte FREE = 0, SWAPPED = 1, CACHED = 2, DRAINING = 3;

    private final boolean offload;
    private final byte[] state;
    private final int[] freeStack;
    private int freeCount;
    private int swapped;
    private int cached;
    /** Cached slots in recency order (first = least recently used). */
    private final IntLruList lru;
    private final long[] keyOf;
    private final int[][] tokensOf;
    private final LongIntMap byKey;
    /** Per slot: the commit in which it last took part in a copy. */
    private final long[] busyStamp;
    private long commit;
    private int busyCached;
    /** Slots a swap-in reads in this commit: free at its end. */
    private final int[] draining;
    private int drainingCount;
    /** Per device block: the content it holds while indexed (for offload), and the block's index in it. */
    private final TokenBlocks[] sourceOf;
    private final int[] sourceIndex;
    /** Key of each indexed device block's content to the block (offload on). */
    private final LongIntMap deviceByKey;

    /**
     * @param capacity     host slots (0: no host tier)
     * @param offload      whether evicted prefix-cache blocks are kept in the tier
     * @param deviceBlocks device blocks, whose indexed content the tier is told about
     */
    HostTier(int capacity, boolean offload, int deviceBlocks) {
        if (capacity < 0) throw new IllegalArgumentException("host blocks must be >= 0, was " + capacity);
        if (offload && capacity == 0) throw new IllegalArgumentException("offload needs host blocks > 0");
        this.offload = offload;
        state = new byte[capacity];
        freeStack = new int[capacity];
        for (int s = capacity - 1; s >= 0; s--) freeStack[freeCount++] = s; // slot 0 first: readable tests
        lru = new IntLruList(capacity);
        keyOf = new long[capacity];
        tokensOf = new int[offload ? capacity : 0][];
        byKey = new LongIntMap(offload ? Math.min(capacity, 1 << 16) : 1);
        busyStamp = new long[capacity];
        Arrays.fill(busyStamp, -1);
        draining = new int[capacity];
        sourceOf = new TokenBlocks[offload ? deviceBlocks : 0];
        sourceIndex = new int[offload ? deviceBlocks : 0];
        deviceByKey = new LongIntMap(offload ? Math.min(deviceBlocks, 1 << 16) : 1);
    }

    int capacity() {
        return state.length;
    }

    /** Slots holding KV: swapped-out sequences' blocks and offloaded blocks. */
    int used() {
        return capacity() - freeCount;
    }

    /** Slots holding offloaded prefix-cache blocks. */
    int cachedBlocks() {
        return cached;
    }

    // --- one step's copies ----------------------------------------------------------------------------------

    /** Starts a step's copies; {@code step} must grow from call to call. */
    void beginCommit(long step) {
        if (drainingCount != 0) throw new IllegalStateException("host tier: the previous commit did not end");
        commit = step;
        busyCached = 0;
    }

    /** Ends a step's copies: slots read by swap-ins are free again. */
    void endCommit() {
        for (int i = 0; i < drainingCount; i++) {
            int s = draining[i];
            state[s] = FREE;
            freeStack[freeCount++] = s;
        }
        drainingCount = 0;
    }

    private void busy(int slot) {
        if (busyStamp[slot] == commit) return;
        busyStamp[slot] = commit;
        if (state[slot] == CACHED) busyCached++;
    }

    // --- swap preemption ------------------------------------------------------------------------------------

    /** Whether {@code blocks} slots can be had now, evicting offloaded blocks not busy in this step if need be. */
    boolean canSwapOut(int blocks) {
        return freeCount + cached - busyCached >= blocks;
    }

    /** A slot for one block of a swapped-out sequence; check {@link #canSwapOut} first. */
    int swapOutSlot() {
        int s = take();
        if (s < 0) throw new IllegalStateException("host tier full: " + swapped + " swapped, " + cached + " cached ("
                + busyCached + " busy), " + drainingCount + " being read, of " + capacity());
        state[s] = SWAPPED;
        swapped++;
        busy(s);
        return s;
    }

    /** A swapped-out block is copied back in this step: its slot is free once the step's copies are done. */
    void swapInSlot(int slot) {
        if (state[slot] != SWAPPED) throw new IllegalStateException("host slot " + slot + " holds no swapped block");
        state[slot] = DRAINING;
        swapped--;
        draining[drainingCount++] = slot;
    }

    /** A swapped-out block whose sequence was cancelled: its slot is free at once. */
    void dropSwapped(int slot) {
        if (state[slot] != SWAPPED) throw new IllegalStateException("host slot " + slot + " holds no swapped block");
        state[slot] = FREE;
        swapped--;
        freeStack[freeCount++] = slot;
    }

    // --- offload ----------------------------------------------------------------------------------------------

    /** Device block {@code block} now holds indexed content: block {@code index} of {@code tokens}. */
    void indexed(int block, TokenBlocks tokens, int index) {
        if (!offload) return;
        sourceOf[block] = tokens;
        sourceIndex[block] = index;
        deviceByKey.putIfAbsent(tokens.key(index), block);
    }

    /** The indexed device block holding block {@code index} of {@code tokens}, or -1 (always -1 with offload off). */
    int deviceLookup(TokenBlocks tokens, int index) {
        if (!offload) return -1;
        int block = deviceByKey.get(tokens.key(index));
        if (block < 0) return -1;
        var source = sourceOf[block];
        int at = sourceIndex[block];
        for (int j = 0; j < tokens.blockSizeTokens(); j++) if (source.token(at, j) != tokens.token(index, j)) return -1;
        return block;
    }

    /**
     * The device evicts indexed block {@code block}: keeps its content in a host slot.
     *
     * @return the slot to copy the block into, or -1 when no copy is needed (the tier holds it already, and it
     *         becomes most recently used) or none can be made (offload off, or every slot swapped or busy)
     */
    int offload(int block) {
        if (!offload) return -1;
        var tokens = sourceOf[block];
        int index = sourceIndex[block];
        sourceOf[block] = null;
        if (tokens == null) throw new IllegalStateException("device block " + block + " was evicted but never indexed");
        long key = tokens.key(index);
        deviceByKey.remove(key, block);
        int held = byKey.get(key);
        if (held >= 0) {
            if (sameTokens(held, tokens, index)) touch(held);
            return -1; // a copy is there already, or a different block under the same key: keep that one
        }
        int s = take();
        if (s < 0) return -1;
        state[s] = CACHED;
        keyOf[s] = key;
        int size = tokens.blockSizeTokens();
        if (tokensOf[s] == null || tokensOf[s].length != size) tokensOf[s] = new int[size];
        for (int j = 0; j < size; j++) tokensOf[s][j] = tokens.token(index, j);
        byKey.putIfAbsent(key, s);
        cached++;
        lru.addLast(s);
        busy(s);
        return s;
    }

    /** The slot holding block {@code index} of {@code tokens}, or -1. Read only. */
    int lookup(TokenBlocks tokens, int index) {
        if (cached == 0) return -1;
        int s = byKey.get(tokens.key(index));
        return s >= 0 && sameTokens(s, tokens, index) ? s : -1;
    }

    /** An offloaded block is copied back to the device in this step: most recently used, and kept this step. */
    void reload(int slot) {
        if (state[slot] != CACHED) throw new IllegalStateException("host slot " + slot + " holds no offloaded block");
        touch(slot);
        busy(slot);
    }

    /** The device prefix cache was replaced and starts cold: so does the tier's offloaded part. */
    void dropCached() {
        while (lru.first() >= 0) {
            int s = lru.first();
            lru.remove(s);
            byKey.remove(keyOf[s], s);
            state[s] = FREE;
            freeStack[freeCount++] = s;
        }
        cached = 0;
        busyCached = 0;
        Arrays.fill(sourceOf, null);
        deviceByKey.clear();
    }

    // --- slots ------------------------------------------------------------------------------------------------

    /** A free slot, else the least recently used offloaded block not busy in this step (forgotten); -1 if none. */
    private int take() {
        if (freeCount > 0) return freeStack[--freeCount];
        int s = lru.first();
        while (s >= 0 && busyStamp[s] == commit) s = lru.next(s);
        if (s < 0) return -1;
        lru.remove(s);
        byKey.remove(keyOf[s], s);
        cached--;
        return s;
    }

    private boolean sameTokens(int slot, TokenBlocks tokens, int index) {
        var stored = tokensOf[slot];
        if (stored.length != tokens.blockSizeTokens()) return false;
        for (int j = 0; j < stored.length; j++) if (stored[j] != tokens.token(index, j)) return false;
        return true;
    }

    private void touch(int s) {
        lru.moveToLast(s);
    }

    /**
     * Checks the tier's bookkeeping between steps: slots free + swapped + cached = capacity, each offloaded key
     * held once and found under its slot, and {@code heldBySequences} (how many waiting sequences list each slot as
     * theirs) exactly the swapped slots. Throws naming the first broken invariant. For tests: O(slots).
     */
    void checkInvariants(int[] heldBySequences) {
        if (drainingCount != 0) throw new IllegalStateException("host tier checked inside a commit");
        var free = new boolean[capacity()];
        for (int i = 0; i < freeCount; i++) {
            int s = freeStack[i];
            if (free[s] || state[s] != FREE) throw new IllegalStateException("host slot " + s + " is free twice, or free and in use");
            free[s] = true;
        }
        int inList = 0;
        for (int s = lru.first(), before = -1; s >= 0; before = s, s = lru.next(s)) {
            if (state[s] != CACHED || lru.prev(s) != before) throw new IllegalStateException("host slot " + s + " is in the LRU list but not cached");
            if (byKey.get(keyOf[s]) != s) throw new IllegalStateException("host slot " + s + "'s key maps to " + byKey.get(keyOf[s]));
            if (++inList > capacity()) throw new IllegalStateException("host LRU list has a cycle");
        }
        int swappedSeen = 0, cachedSeen = 0;
        for (int s = 0; s < capacity(); s++) {
            if (state[s] == SWAPPED) swappedSeen++;
            if (state[s] == CACHED) cachedSeen++;
            if ((state[s] == SWAPPED ? 1 : 0) != heldBySequences[s]) {
                throw new IllegalStateException("host slot " + s + " (state " + state[s] + ") is held by "
                        + heldBySequences[s] + " swapped-out sequences");
            }
        }
        if (cachedSeen != cached || inList != cached || byKey.size() != cached) {
            throw new IllegalStateException("host tier counts " + cached + " offloaded blocks; " + cachedSeen
                    + " slots, " + inList + " in the LRU list, " + byKey.size() + " keys");
        }
        if (swappedSeen != swapped) throw new IllegalStateException("host tier counts " + swapped + " swapped, saw " + swappedSeen);
        if (freeCount + swapped + cached != capacity()) throw new IllegalStateException("host free + swapped + cached != capacity");
    }
}

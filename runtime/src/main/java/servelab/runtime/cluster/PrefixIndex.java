package servelab.runtime.cluster;

import java.util.Arrays;

import servelab.common.collect.IntLruList;
import servelab.common.collect.LongIntMap;

/**
 * What a router believes one replica's prefix cache holds, as a set of chained block keys (the keys the replica's
 * own cache uses). Two ways to know, after llm-d's two prefix-cache scorers:
 * <ul>
 *   <li>{@link #precise precise}: fed by the replica's own cache events (stored, evicted, cleared), so it is what
 *       the cache holds, as of the last view refresh (events are buffered and applied at {@link #refresh()}, the
 *       way KV events reach an indexer in batches);</li>
 *   <li>{@link #estimated estimated}: fed by the router's own decisions (a request sent here will have its prompt
 *       blocks cached), bounded to the replica's KV capacity and forgotten least recently routed first; it never
 *       hears about evictions, so it drifts under memory pressure.</li>
 * </ul>
 * A lookup costs one hash probe per matched block plus one; nothing is copied per decision.
 */
public final class PrefixIndex {
    private static final long STORED = 0, EVICTED = 1, CLEARED = 2;

    private final boolean precise;
    private final boolean buffered;
    private final LongIntMap blockOf;
    // precise: the key each device block holds (valid while present[block])
    private long[] keyOf;
    private boolean[] present;
    // precise, buffered: pending events, (op, block, key) triples
    private long[] pending = new long[0];
    private int pendingCount;
    // estimated: slots in least-recently-routed-first order, each holding one key
    private long[] slotKey;
    private IntLruList recency;
    private int used;

    private PrefixIndex(boolean precise, boolean buffered, int blocks) {
        this.precise = precise;
        this.buffered = buffered;
        // grown as keys come (it is never iterated, so its size changes nothing): sized for every block, it was about
        // 0.8 MB of each replica's 2.8 MB whether its cache ever filled or not
        this.blockOf = new LongIntMap(Math.min(blocks, 1 << 10));
        if (precise) {
            keyOf = new long[blocks];
            present = new boolean[blocks];
        } else {
            slotKey = new long[blocks];
            recency = new IntLruList(blocks);
        }
    }

    /**
     * @param deviceBlocks the replica's KV blocks (block ids are below it)
     * @param buffered     hold events until {@link #refresh()} (a view refreshed at an interval); false applies each
     *                     at once (an always-exact view)
     */
    public static PrefixIndex precise(int deviceBlocks, boolean buffered) {
        return new PrefixIndex(true, buffered, deviceBlocks);
    }

    /** @param capacityBlocks keys remembered (the replica's KV blocks: it cannot cache more) */
    public static PrefixIndex estimated(int capacityBlocks) {
        return new PrefixIndex(false, false, Math.max(1, capacityBlocks));
    }

    public boolean isPrecise() {
        return precise;
    }

    /** Number of leading blocks of {@code blocks} the index holds. */
    public int matchedBlocks(servelab.api.route.BlockHashes blocks) {
        int n = 0, count = blocks.count();
        while (n < count && blockOf.get(blocks.hash(n)) >= 0) n++;
        return n;
    }

    /** Keys held now. */
    public int size() {
        return blockOf.size();
    }

    // --- precise: the replica's cache events ------------------------------------------------------------------

    public void stored(int block, long key) {
        if (buffered) log(STORED, block, key);
        else applyStored(block, key);
    }

    public void evicted(int block) {
        if (buffered) log(EVICTED, block, 0);
        else applyEvicted(block);
    }

    public void cleared() {
        if (buffered) log(CLEARED, 0, 0);
        else applyCleared();
    }

    /** Applies the events buffered since the last refresh, in order. */
    public void refresh() {
        for (int i = 0; i < pendingCount; i += 3) {
            int block = (int) pending[i + 1];
            switch ((int) pending[i]) {
                case 0 -> applyStored(block, pending[i + 2]);
                case 1 -> applyEvicted(block);
                default -> applyCleared();
            }
        }
        pendingCount = 0;
    }

    private void log(long op, int block, long key) {
        if (pendingCount + 3 > pending.length) pending = Arrays.copyOf(pending, Math.max(48, pending.length * 2));
        pending[pendingCount++] = op;
        pending[pendingCount++] = block;
        pending[pendingCount++] = key;
    }

    private void applyStored(int block, long key) {
        if (present[block]) blockOf.remove(keyOf[block], block);
        keyOf[block] = key;
        present[block] = true;
        blockOf.putIfAbsent(key, block);
    }

    private void applyEvicted(int block) {
        if (!present[block]) return;
        blockOf.remove(keyOf[block], block);
        present[block] = false;
    }

    private void applyCleared() {
        blockOf.clear();
        Arrays.fill(present, false);
    }

    // --- estimated: the router's own decisions ----------------------------------------------------------------

    /** The router sent a request with these prompt block keys here: remember them as most recently used. */
    public void routed(long[] keys) {
        if (precise) throw new IllegalStateException("a precise index learns from cache events, not from routing");
        for (long key : keys) {
            int slot = blockOf.get(key);
            if (slot >= 0) {
                recency.moveToLast(slot);
                continue;
            }
            if (used < slotKey.length) {
                slot = used++;
            } else {
                slot = recency.first(); // least recently routed
                recency.remove(slot);
                blockOf.remove(slotKey[slot], slot);
            }
            slotKey[slot] = key;
            blockOf.putIfAbsent(key, slot);
            recency.addLast(slot);
        }
    }
}

package servelab.plugins.caching.prefix;

import java.util.Arrays;

/**
 * Where in a {@link RadixTree} recent matches and inserts ended, so an insert finds its parent's node without
 * walking from the root: boundary nodes keyed by the chained key of the block ending there, in a direct-mapped
 * table, behind a one-entry buffer. The engine publishes a prefill chunk's blocks one after another, and each
 * takes its parent from the buffer the previous one left, so the table is written only when a run of publishes
 * ends (the buffer's entry was not used when the next one arrives). A found node is checked against its stored key
 * and depth, so a stale entry (a node pruned or reused since) is a miss, never a wrong parent. With 0 bits it
 * remembers nothing (tests use that to send every insert down the walk from the root).
 */
final class ParentMemo {
    private final RadixNodes nodes;
    private final int bits;
    private final long[] keys;
    private final int[] nodeIds;
    private long lastKey;
    private int lastNode = -1;
    private boolean lastUsed;

    ParentMemo(RadixNodes nodes, int bits) {
        if (bits < 0 || bits > 24) throw new IllegalArgumentException("memo bits must be in [0, 24], was " + bits);
        this.nodes = nodes;
        this.bits = bits;
        keys = new long[1 << bits];
        nodeIds = new int[1 << bits];
        Arrays.fill(nodeIds, -1);
    }

    /** The live boundary node at {@code depthTokens} whose block has chained key {@code key}, or -1. */
    int find(long key, int depthTokens) {
        if (bits == 0) return -1;
        if (lastNode >= 0 && lastKey == key && holds(lastNode, key, depthTokens)) {
            lastUsed = true;
            return lastNode;
        }
        int slot = slot(key);
        int node = nodeIds[slot];
        return keys[slot] == key && node >= 0 && holds(node, key, depthTokens) ? node : -1;
    }

    /** {@code node} is the boundary node where the block with chained key {@code key} ends. */
    void remember(long key, int node) {
        if (bits == 0) return;
        if (lastNode >= 0 && !lastUsed) {
            int slot = slot(lastKey);
            keys[slot] = lastKey;
            nodeIds[slot] = lastNode;
        }
        lastKey = key;
        lastNode = node;
        lastUsed = false;
    }

    private boolean holds(int node, long key, int depthTokens) {
        return nodes.isLive(node) && nodes.chainKey(node) == key && nodes.depth(node) == depthTokens;
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> (64 - bits));
    }
}

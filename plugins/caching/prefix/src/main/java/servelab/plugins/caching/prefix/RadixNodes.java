package servelab.plugins.caching.prefix;

import servelab.common.collect.LongIntMap;
import java.util.Arrays;

/**
 * Node storage of {@link RadixTree}: one slot per node in parallel arrays, and children found through one hash
 * map keyed by (parent, first token of the child's edge), so a node costs a few array entries and no object. An
 * edge is a slice of an {@code int[]}: splitting one shares the array between the two halves instead of copying.
 * Freed slots are reused. Node 0 is the root (empty edge, depth 0).
 */
final class RadixNodes {
    static final int ROOT = 0;
    private static final int FREE = -1;

    private int[] parent = new int[1024];
    private int[][] edge = new int[1024][];
    private int[] edgeStart = new int[1024];
    private int[] edgeLength = new int[1024];
    /** Tokens from the root to the end of the node's edge; FREE for a free slot. */
    private int[] depth = new int[1024];
    /** Device block whose KV ends at this node (a block boundary), or -1. */
    private int[] block = new int[1024];
    /** Chained key of the block ending here (block boundaries only), for {@link RadixTree}'s insert memo. */
    private long[] chainKey = new long[1024];
    private int[] childCount = new int[1024];
    private final LongIntMap children = new LongIntMap(1 << 12);
    private int[] freeSlots = new int[64];
    private int freeCount;
    private int used = 1;
    private int live = 1;

    RadixNodes() {
        Arrays.fill(depth, FREE);
        depth[ROOT] = 0;
        parent[ROOT] = -1;
        block[ROOT] = -1;
        edge[ROOT] = new int[0];
    }

    int parent(int node) { return parent[node]; }
    int depth(int node) { return depth[node]; }
    int block(int node) { return block[node]; }
    long chainKey(int node) { return chainKey[node]; }
    int childCount(int node) { return childCount[node]; }
    int edgeLength(int node) { return edgeLength[node]; }
    boolean isLive(int node) { return node < used && depth[node] != FREE; }
    void setBlock(int node, int blockId) { block[node] = blockId; }

    /** Token {@code k} of the node's edge. */
    int edgeToken(int node, int k) {
        return edge[node][edgeStart[node] + k];
    }

    /** The child of {@code node} whose edge starts with {@code token}, or -1. */
    int child(int node, int token) {
        return children.get(childKey(node, token));
    }

    /** A new leaf under {@code parentNode} with edge {@code tokens[0, length)}. */
    int addLeaf(int parentNode, int[] tokens, int length, long key) {
        int node = allocate();
        parent[node] = parentNode;
        edge[node] = tokens;
        edgeStart[node] = 0;
        edgeLength[node] = length;
        depth[node] = depth[parentNode] + length;
        block[node] = -1;
        chainKey[node] = key;
        childCount[node] = 0;
        children.putIfAbsent(childKey(parentNode, tokens[0]), node);
        childCount[parentNode]++;
        return node;
    }

    /**
     * Splits {@code node}'s edge after its first {@code k} tokens (0 &lt; k &lt; length): a new node takes the
     * first part and becomes {@code node}'s parent; {@code node} keeps its identity, block and children.
     */
    int split(int node, int k) {
        int up = parent[node];
        int first = edgeToken(node, 0);
        int mid = allocate();
        parent[mid] = up;
        edge[mid] = edge[node];
        edgeStart[mid] = edgeStart[node];
        edgeLength[mid] = k;
        depth[mid] = depth[node] - edgeLength[node] + k;
        block[mid] = -1;
        childCount[mid] = 1;
        children.remove(childKey(up, first), node);
        children.putIfAbsent(childKey(up, first), mid);
        parent[node] = mid;
        edgeStart[node] += k;
        edgeLength[node] -= k;
        children.putIfAbsent(childKey(mid, edgeToken(node, 0)), node);
        return mid;
    }

    /** Unlinks the leaf {@code node} (no block, no children) and frees its slot; returns its parent. */
    int removeLeaf(int node) {
        int up = parent[node];
        children.remove(childKey(up, edgeToken(node, 0)), node);
        childCount[up]--;
        depth[node] = FREE;
        edge[node] = null;
        if (freeCount == freeSlots.length) freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
        freeSlots[freeCount++] = node;
        live--;
        return up;
    }

    /** Nodes in the tree, the root included. */
    int size() {
        return live;
    }

    private int allocate() {
        live++;
        if (freeCount > 0) return freeSlots[--freeCount];
        if (used == depth.length) grow();
        return used++;
    }

    private void grow() {
        int n = depth.length * 2;
        parent = Arrays.copyOf(parent, n);
        edge = Arrays.copyOf(edge, n);
        edgeStart = Arrays.copyOf(edgeStart, n);
        edgeLength = Arrays.copyOf(edgeLength, n);
        depth = Arrays.copyOf(depth, n);
        Arrays.fill(depth, n / 2, n, FREE);
        block = Arrays.copyOf(block, n);
        chainKey = Arrays.copyOf(chainKey, n);
        childCount = Arrays.copyOf(childCount, n);
    }

    private static long childKey(int node, int token) {
        return (long) node << 32 | (token & 0xFFFFFFFFL);
    }
}

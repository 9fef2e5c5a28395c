package servelab.plugins.caching.prefix;

import java.util.Arrays;

import servelab.api.kv.PrefixCache;
import servelab.api.kv.TokenBlocks;

/**
 * The radix tree behind {@link RadixTreePrefixCache}: edges are runs of tokens, split at the token where two
 * sequences diverge, and every block boundary on a path is a node, which holds the device block whose KV ends
 * there (or none). An edge never crosses a block boundary, so walking one block from a boundary node reaches the
 * next boundary node or fails.
 *
 * <ul>
 *   <li>{@link #match}: walks block by block from the root, or from the node of the last block the engine already
 *       knows (a block id → node map), comparing every token; stops at the first block whose path leaves the tree
 *       or whose boundary node holds no KV.</li>
 *   <li>{@link #insert}: finds the boundary node of the block's parent, walks or extends the path of the block's
 *       tokens, and records the block id at its end unless another block is there already.</li>
 *   <li>{@link #evicted}: drops the block from its node; a node left with no block and no children is removed, and
 *       so on up the path. A node that still has children stays as a path without KV.</li>
 * </ul>
 *
 * <p><b>Finding an insert's parent.</b> The engine publishes blocks one at a time and names only the block, not
 * its parent's node, so a {@link ParentMemo} remembers the boundary nodes where recent matches and inserts ended,
 * keyed by the chained key of the block ending there; a miss walks from the root by tokens (creating the path,
 * without KV, if a prefix block was never indexed or has been pruned). On the Mooncake conversation trace with
 * 16-token blocks, 600 of 9.3 M inserts missed (their memo slot was overwritten between two publishes of one
 * sequence), and their walks covered 0.47 M blocks, 5% of the blocks inserted. This is the only place the tree
 * relies on chained keys: a 64-bit key collision could attach a block under the wrong parent, the exposure
 * hash-block has on every lookup. {@link #match} never uses keys.
 *
 * <p>Cost: match O(b) token comparisons and about one hash lookup per edge per block (b = block size); insert the
 * same with a memo hit, O(i·b) for block i on a miss; evicted O(nodes removed). Memory: about 40 bytes and one map
 * entry per node, the block's tokens once per leaf block (split halves share their array), and 192 KiB of memo.
 */
final class RadixTree implements PrefixCache {
    private static final int MEMO_BITS = 14;
    private final RadixNodes nodes = new RadixNodes();
    private int[] nodeOfBlock = filled(1024);
    private final ParentMemo memo;
    private int blockSize;
    private int indexed;

    RadixTree() {
        this(MEMO_BITS);
    }

    /** A tree whose insert memo has {@code 2^memoBits} slots (tests use none, to exercise the walk from the root). */
    RadixTree(int memoBits) {
        memo = new ParentMemo(nodes, memoBits);
    }

    @Override
    public int match(TokenBlocks blocks, int from, int maxBlocks, int[] blockIds) {
        checkBlockSize(blocks);
        int n = Math.min(maxBlocks, blocks.count());
        if (from > n) return n;
        int node = RadixNodes.ROOT;
        if (from > 0) node = nodeOf(blockIds[from - 1], from); // continue where the engine's known prefix ends
        for (int i = from; i < n; i++) {
            int next = walk(node, blocks, i);
            if (next < 0 || nodes.block(next) < 0) {
                remember(blocks, i, node);
                return i;
            }
            blockIds[i] = nodes.block(next);
            node = next;
        }
        remember(blocks, n, node);
        return n;
    }

    @Override
    public boolean insert(TokenBlocks blocks, int index, int blockId) {
        checkBlockSize(blocks);
        int node = extend(parentOf(blocks, index), blocks, index);
        remember(blocks, index + 1, node);
        int holder = nodes.block(node);
        if (holder >= 0) return holder == blockId; // the same content is cached in another block
        if (blockId < nodeOfBlock.length && nodeOfBlock[blockId] >= 0) {
            throw new IllegalStateException("block " + blockId + " is already indexed under other content");
        }
        ensure(blockId);
        nodes.setBlock(node, blockId);
        nodeOfBlock[blockId] = node;
        indexed++;
        return true;
    }

    @Override
    public void evicted(int blockId) {
        int node = blockId < nodeOfBlock.length ? nodeOfBlock[blockId] : -1;
        if (node < 0) throw new IllegalStateException("block " + blockId + " is not indexed");
        nodeOfBlock[blockId] = -1;
        nodes.setBlock(node, -1);
        indexed--;
        // prune: a node with neither KV nor children leads nowhere; a branch point left with one branch stays
        while (node != RadixNodes.ROOT && nodes.block(node) < 0 && nodes.childCount(node) == 0) {
            node = nodes.removeLeaf(node);
        }
    }

    /** Blocks indexed. */
    int size() {
        return indexed;
    }

    /** Nodes in the tree, the root included (for tests: pruning leaves no dead paths). */
    int nodeCount() {
        return nodes.size();
    }

    /**
     * Follows block {@code i}'s tokens down from {@code node}, the boundary node at its start; returns the
     * boundary node at its end, or -1 where the tree has no such path.
     */
    private int walk(int node, TokenBlocks blocks, int i) {
        int offset = 0;
        while (offset < blockSize) {
            int child = nodes.child(node, blocks.token(i, offset));
            if (child < 0) return -1;
            int length = nodes.edgeLength(child);
            for (int k = 1; k < length; k++) {
                if (nodes.edgeToken(child, k) != blocks.token(i, offset + k)) return -1;
            }
            offset += length;
            node = child;
        }
        return node;
    }

    /** Like {@link #walk}, but adds what is missing: splits the edge where the tokens diverge, then a new leaf. */
    private int extend(int node, TokenBlocks blocks, int i) {
        int offset = 0;
        while (offset < blockSize) {
            int child = nodes.child(node, blocks.token(i, offset));
            if (child < 0) return newLeaf(node, blocks, i, offset);
            int length = nodes.edgeLength(child);
            int k = 1;
            while (k < length && nodes.edgeToken(child, k) == blocks.token(i, offset + k)) k++;
            if (k < length) return newLeaf(nodes.split(child, k), blocks, i, offset + k);
            offset += length;
            node = child;
        }
        return node;
    }

    private int newLeaf(int parent, TokenBlocks blocks, int i, int offset) {
        var tokens = new int[blockSize - offset];
        for (int k = 0; k < tokens.length; k++) tokens[k] = blocks.token(i, offset + k);
        return nodes.addLeaf(parent, tokens, tokens.length, blocks.key(i));
    }

    /** The boundary node where block {@code index} starts: from the memo, else by walking from the root. */
    private int parentOf(TokenBlocks blocks, int index) {
        if (index == 0) return RadixNodes.ROOT;
        int node = memo.find(blocks.key(index - 1), index * blockSize);
        if (node >= 0) return node;
        node = RadixNodes.ROOT;
        for (int j = 0; j < index; j++) node = extend(node, blocks, j);
        return node;
    }

    /** Notes that {@code node} is the boundary node where block {@code index} of {@code blocks} starts. */
    private void remember(TokenBlocks blocks, int index, int node) {
        if (index > 0) memo.remember(blocks.key(index - 1), node);
    }

    private int nodeOf(int blockId, int blocksBefore) {
        int node = blockId >= 0 && blockId < nodeOfBlock.length ? nodeOfBlock[blockId] : -1;
        if (node < 0 || nodes.depth(node) != blocksBefore * blockSize) {
            throw new IllegalStateException("known prefix ends at block " + blockId + ", which is not indexed as block "
                    + (blocksBefore - 1) + " of a sequence");
        }
        return node;
    }

    private void checkBlockSize(TokenBlocks blocks) {
        if (blockSize == 0) blockSize = blocks.blockSizeTokens();
        if (blocks.blockSizeTokens() != blockSize) {
            throw new IllegalArgumentException("block size " + blocks.blockSizeTokens() + " tokens, but this tree "
                    + "indexes " + blockSize + "-token blocks");
        }
    }

    private void ensure(int blockId) {
        if (blockId < nodeOfBlock.length) return;
        int old = nodeOfBlock.length;
        nodeOfBlock = Arrays.copyOf(nodeOfBlock, Math.max(blockId + 1, old * 2));
        Arrays.fill(nodeOfBlock, old, nodeOfBlock.length, -1);
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }
}

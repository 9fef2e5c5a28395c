package servelab.runtime.engine;

/**
 * The device's KV blocks: a free stack over block ids with a free flag per block, so a double free or a leak is
 * caught at the operation that causes it. No allocation per operation.
 */
final class BlockPool {
    private final int[] freeStack;
    private final boolean[] isFree;
    private int freeCount;

    BlockPool(int totalBlocks) {
        if (totalBlocks < 1) throw new IllegalArgumentException("KV blocks must be >= 1, was " + totalBlocks);
        freeStack = new int[totalBlocks];
        isFree = new boolean[totalBlocks];
        // push in reverse so block 0 is handed out first: small traces get readable block ids
        for (int b = totalBlocks - 1; b >= 0; b--) {
            freeStack[freeCount++] = b;
            isFree[b] = true;
        }
    }

    int total() {
        return freeStack.length;
    }

    int free() {
        return freeCount;
    }

    int used() {
        return freeStack.length - freeCount;
    }

    int allocate() {
        if (freeCount == 0) throw new IllegalStateException("KV block pool exhausted (" + total() + " blocks)");
        int b = freeStack[--freeCount];
        isFree[b] = false;
        return b;
    }

    void release(int block) {
        if (isFree[block]) throw new IllegalStateException("KV block " + block + " freed twice");
        isFree[block] = true;
        freeStack[freeCount++] = block;
    }

    boolean isFree(int block) {
        return isFree[block];
    }
}

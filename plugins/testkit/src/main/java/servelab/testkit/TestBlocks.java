package servelab.testkit;

import java.util.Arrays;

import servelab.api.kv.TokenBlocks;

/** A token sequence as {@link TokenBlocks}, with chained keys as the engine makes them (parent key, block tokens). */
public final class TestBlocks implements TokenBlocks {
    private final int[] tokens;
    private final int blockSize;
    private final long[] keys;

    public TestBlocks(int blockSize, int... tokens) {
        this.tokens = tokens.clone();
        this.blockSize = blockSize;
        keys = new long[tokens.length / blockSize];
        long parent = 0x2545F4914F6CDD1DL;
        for (int i = 0; i < keys.length; i++) {
            long h = 0;
            for (int j = 0; j < blockSize; j++) h = h * 0x100000001B3L + tokens[i * blockSize + j];
            keys[i] = parent = mix(parent ^ mix(h));
        }
    }

    /** Tokens {@code [0, length)}. */
    public int[] prefix(int length) {
        return Arrays.copyOf(tokens, length);
    }

    public int length() {
        return tokens.length;
    }

    @Override
    public int count() {
        return keys.length;
    }

    @Override
    public int blockSizeTokens() {
        return blockSize;
    }

    @Override
    public long key(int index) {
        return keys[index];
    }

    @Override
    public int token(int index, int offset) {
        if (offset < 0 || offset >= blockSize) throw new IndexOutOfBoundsException("offset " + offset);
        return tokens[index * blockSize + offset];
    }

    @Override
    public String toString() {
        return Arrays.toString(tokens);
    }

    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h;
    }
}

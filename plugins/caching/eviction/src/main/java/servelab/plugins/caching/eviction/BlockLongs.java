package servelab.plugins.caching.eviction;

import java.util.Arrays;

/** A long per block id, 0 until set: per-block policy state that grows to the largest block id written. */
final class BlockLongs {
    private long[] values = new long[1024];

    long get(int block) {
        return block < values.length ? values[block] : 0;
    }

    void set(int block, long value) {
        if (block >= values.length) values = Arrays.copyOf(values, Math.max(block + 1, values.length * 2));
        values[block] = value;
    }
}

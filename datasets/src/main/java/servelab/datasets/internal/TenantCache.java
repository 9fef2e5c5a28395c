package servelab.datasets.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Shares one String per distinct tenant value, so a trace with two models or a few thousand sessions does not
 * allocate a String per row. Direct-mapped (like a CPU cache): a slot keeps the last value that hashed to it, so
 * memory stays bounded even for a trace with millions of session ids, where misses simply allocate.
 */
final class TenantCache {
    private static final int SLOTS = 1 << 12;

    private final byte[][] keys = new byte[SLOTS][];
    private final String[] values = new String[SLOTS];

    String get(byte[] b, int from, int to) {
        int hash = 1;
        for (int i = from; i < to; i++) hash = 31 * hash + b[i];
        int slot = (hash ^ (hash >>> 16)) & (SLOTS - 1);
        byte[] key = keys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, b, from, to)) return values[slot];
        var value = new String(b, from, to - from, StandardCharsets.UTF_8);
        keys[slot] = Arrays.copyOfRange(b, from, to);
        values[slot] = value;
        return value;
    }
}

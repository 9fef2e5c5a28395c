package servelab.api.kv;

import org.osgi.annotation.versioning.ProviderType;

/** A sequence's tokens as full KV blocks with chained content keys. Read-only; valid during one call. */
@ProviderType
public interface TokenBlocks {
    /** Number of full blocks. */
    int count();

    /** Tokens per block. */
    int blockSizeTokens();

    /**
     * Chained content key of block {@code index}: a 64-bit hash of the parent block's key and this block's
     * tokens, so equal keys mean (up to hash collisions) equal prefixes.
     */
    long key(int index);

    /** Token {@code offset} (0 ≤ offset &lt; blockSizeTokens) of block {@code index}. */
    int token(int index, int offset);
}

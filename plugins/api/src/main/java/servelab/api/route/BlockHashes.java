package servelab.api.route;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A prompt's token identity as a sequence of block hashes, read by cache-aware routers. Block {@code i} covers
 * prompt tokens {@code [i * blockTokens(), (i + 1) * blockTokens())}; hashes are chained (block i's hash stands for
 * the whole prefix up to and including it), so two prompts share their first k blocks exactly when their first k
 * hashes are equal. Where they come from: Mooncake {@code hash_ids} (512 tokens a block), the hashes of the prompt
 * ids on the model executor, or the {@code shared_prefix} transform.
 *
 * <p>Read-only and not copied per decision: a router indexes into it and pays for what it reads.
 */
@ProviderType
public interface BlockHashes {
    /** The identity of a request that has none: no blocks, so no router sees a shared prefix. */
    BlockHashes NONE = of(1);

    /** Number of full blocks. */
    int count();

    /** Prompt tokens per block (512 for Mooncake traces), at least 1. */
    int blockTokens();

    /** Chained hash of block {@code index}, 0 ≤ index &lt; {@link #count()}. */
    long hash(int index);

    /**
     * A view of {@code hashes}, which is not copied: the caller must not change the array afterwards.
     *
     * @throws IllegalArgumentException when {@code blockTokens < 1}
     */
    static BlockHashes of(int blockTokens, long... hashes) {
        if (blockTokens < 1) throw new IllegalArgumentException("BlockHashes.blockTokens must be >= 1, was " + blockTokens);
        java.util.Objects.requireNonNull(hashes, "BlockHashes.hashes");
        return new BlockHashes() {
            @Override public int count() { return hashes.length; }
            @Override public int blockTokens() { return blockTokens; }
            @Override public long hash(int index) { return hashes[index]; }
            @Override public String toString() { return hashes.length + " blocks of " + blockTokens + " tokens"; }
        };
    }
}

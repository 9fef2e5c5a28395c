package servelab.runtime.experiment;

/**
 * KV memory per replica. One host-memory (CPU) tier of {@code host_blocks} blocks serves both swap preemption
 * (batcher {@code preempt_mode: swap}) and, with {@code offload: true}, the prefix-cache blocks the device evicts:
 * they are copied to the host tier instead of being lost and come back on a prefix hit, each copy priced by the
 * cost model's host-link bandwidth. Swapped-out sequences' blocks are never evicted from the tier; offloaded
 * blocks are evicted least recently used first when a slot is needed.
 *
 * @param blockSize  tokens per block (default 16)
 * @param blocks     device blocks (default: what the profile's memory holds)
 * @param hostBlocks host-tier blocks, for swap preemption and offload (default 0: no host tier)
 * @param offload    keep evicted prefix-cache blocks in the host tier (default false); needs
 *                   {@code host_blocks > 0} and a prefix cache ({@code plugins.prefix-cache})
 */
public record KvSpec(Integer blockSize, int blocks, int hostBlocks, boolean offload) {
    public KvSpec {
        blockSize = blockSize == null ? 16 : blockSize; // absent means 16; a written 0 is refused below
        if (blockSize < 1) throw new IllegalArgumentException("kv.block_size must be >= 1, was " + blockSize);
        if (blocks < 0) throw new IllegalArgumentException("kv.blocks must be >= 0, was " + blocks);
        if (hostBlocks < 0) throw new IllegalArgumentException("kv.host_blocks must be >= 0, was " + hostBlocks);
        if (offload && hostBlocks == 0) {
            throw new IllegalArgumentException("kv.offload needs a host tier: set kv.host_blocks > 0 (blocks of "
                    + "block_size tokens in host memory)");
        }
    }
}

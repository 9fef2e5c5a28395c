package servelab.runtime.record;

import java.util.Objects;

/**
 * One engine step of one replica.
 *
 * @param iteration         step number of this replica, from 0
 * @param replica           replica index, &gt;= 0
 * @param startNanos        run-clock time the step started
 * @param endNanos          run-clock time the step's results were applied, &gt;= {@code startNanos}
 * @param batchSize         sequences in the step's batch
 * @param prefillSeqs       sequences that computed prompt (or recomputed) tokens
 * @param decodeSeqs        sequences that decoded (or verified drafts)
 * @param prefillTokens     prompt tokens computed
 * @param decodeTokens      decode and verification tokens computed
 * @param waitingSeqs       sequences waiting after the step
 * @param runningSeqs       sequences running after the step
 * @param kvBlocksUsed      KV blocks in use after the step, at most {@code kvBlocksTotal}
 * @param kvBlocksTotal     KV blocks of the replica
 * @param kvBlocksCached    unreferenced blocks whose content the prefix cache holds (evictable)
 * @param kvTokensStored    tokens with KV held by running sequences (a shared block counts for each holder)
 * @param kvTokensReservedUnused slots of running sequences' blocks not (yet) holding a token: the partly filled
 *                          last block, plus what an allocator reserved ahead of need (contiguous allocation)
 * @param prefixQueryTokens prompt tokens looked up in the prefix cache in this step
 * @param prefixHitTokens   of those, tokens found, at most {@code prefixQueryTokens}
 * @param preemptions       sequences preempted in this step
 * @param schedulerCpuNanos CPU time the scheduler and batcher plugins took (wall clock, even in simulation)
 * @param scheduler         scheduler plugin as {@code name@version}
 * @param batcher           batcher plugin as {@code name@version}
 * @param host              the host-memory tier after the step, and the step's copies to and from it
 */
public record IterationRow(long iteration, int replica, long startNanos, long endNanos, int batchSize,
                           int prefillSeqs, int decodeSeqs, int prefillTokens, int decodeTokens, int waitingSeqs,
                           int runningSeqs, int kvBlocksUsed, int kvBlocksTotal, int kvBlocksCached,
                           long kvTokensStored, long kvTokensReservedUnused, long prefixQueryTokens,
                           long prefixHitTokens, int preemptions, long schedulerCpuNanos, String scheduler,
                           String batcher, HostKv host, Spec spec) {

    /**
     * The host-memory KV tier of the replica and the step's device-host copies, in KV blocks.
     *
     * @param blocksTotal     host slots of the replica (0: no host tier)
     * @param blocksUsed      slots holding KV after the step: swapped-out sequences' blocks and offloaded blocks
     * @param blocksCached    of those, prefix-cache blocks the device evicted and the tier keeps (offload)
     * @param swapOutBlocks   blocks copied device to host before the step: swap preemptions and offloads
     * @param swapInBlocks    blocks copied host to device before the step: swap-ins and host-tier prefix hits
     * @param offloadedBlocks of the swap-outs, offloads of evicted prefix-cache blocks
     * @param reloadedBlocks  of the swap-ins, host-tier prefix hits (each a block's worth of {@code prefixHitTokens})
     */
    public record HostKv(int blocksTotal, int blocksUsed, int blocksCached, int swapOutBlocks, int swapInBlocks,
                         int offloadedBlocks, int reloadedBlocks) {
        /** No host tier, no copies. */
        public static final HostKv NONE = new HostKv(0, 0, 0, 0, 0, 0, 0);

        public HostKv {
            atLeast("host.blocksCached", blocksCached, 0);
            atLeast("host.blocksUsed", blocksUsed, blocksCached);
            atLeast("host.blocksTotal", blocksTotal, blocksUsed);
            atLeast("host.offloadedBlocks", offloadedBlocks, 0);
            atLeast("host.swapOutBlocks", swapOutBlocks, offloadedBlocks);
            atLeast("host.reloadedBlocks", reloadedBlocks, 0);
            atLeast("host.swapInBlocks", swapInBlocks, reloadedBlocks);
        }
    }

    /**
     * The step's speculative verifications (vLLM's spec-decode metrics, per step).
     *
     * @param drafts             verifications (sequences that verified drafts)
     * @param draftTokens        draft tokens verified
     * @param acceptedTokens     of those, accepted
     * @param draftedByPosition  per draft position j (0-based): verifications that had a draft at j
     * @param acceptedByPosition per draft position j: verifications whose draft at j was accepted
     */
    public record Spec(int drafts, int draftTokens, int acceptedTokens, long[] draftedByPosition,
                       long[] acceptedByPosition) {
        public static final Spec NONE = new Spec(0, 0, 0, new long[0], new long[0]);

        public Spec {
            Objects.requireNonNull(draftedByPosition, "spec.draftedByPosition");
            Objects.requireNonNull(acceptedByPosition, "spec.acceptedByPosition");
            atLeast("spec.drafts", drafts, 0);
            atLeast("spec.draftTokens", draftTokens, drafts);
            atLeast("spec.acceptedTokens", acceptedTokens, 0);
            if (acceptedTokens > draftTokens || acceptedByPosition.length > draftedByPosition.length) {
                throw new IllegalArgumentException("IterationRow.spec: " + acceptedTokens + " accepted of " + draftTokens
                        + " draft tokens");
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Spec x && x.drafts == drafts && x.draftTokens == draftTokens
                    && x.acceptedTokens == acceptedTokens && java.util.Arrays.equals(x.draftedByPosition, draftedByPosition)
                    && java.util.Arrays.equals(x.acceptedByPosition, acceptedByPosition);
        }

        @Override
        public int hashCode() {
            return Objects.hash(drafts, draftTokens, acceptedTokens, java.util.Arrays.hashCode(draftedByPosition),
                    java.util.Arrays.hashCode(acceptedByPosition));
        }
    }

    /** A row with host-tier figures and without speculation ({@link Spec#NONE}). */
    public IterationRow(long iteration, int replica, long startNanos, long endNanos, int batchSize, int prefillSeqs,
                        int decodeSeqs, int prefillTokens, int decodeTokens, int waitingSeqs, int runningSeqs,
                        int kvBlocksUsed, int kvBlocksTotal, int kvBlocksCached, long kvTokensStored,
                        long kvTokensReservedUnused, long prefixQueryTokens, long prefixHitTokens, int preemptions,
                        long schedulerCpuNanos, String scheduler, String batcher, HostKv host) {
        this(iteration, replica, startNanos, endNanos, batchSize, prefillSeqs, decodeSeqs, prefillTokens, decodeTokens,
                waitingSeqs, runningSeqs, kvBlocksUsed, kvBlocksTotal, kvBlocksCached, kvTokensStored,
                kvTokensReservedUnused, prefixQueryTokens, prefixHitTokens, preemptions, schedulerCpuNanos, scheduler,
                batcher, host, Spec.NONE);
    }

    /** A row of a replica without host-tier figures ({@link HostKv#NONE}). */
    public IterationRow(long iteration, int replica, long startNanos, long endNanos, int batchSize, int prefillSeqs,
                        int decodeSeqs, int prefillTokens, int decodeTokens, int waitingSeqs, int runningSeqs,
                        int kvBlocksUsed, int kvBlocksTotal, int kvBlocksCached, long kvTokensStored,
                        long kvTokensReservedUnused, long prefixQueryTokens, long prefixHitTokens, int preemptions,
                        long schedulerCpuNanos, String scheduler, String batcher) {
        this(iteration, replica, startNanos, endNanos, batchSize, prefillSeqs, decodeSeqs, prefillTokens, decodeTokens,
                waitingSeqs, runningSeqs, kvBlocksUsed, kvBlocksTotal, kvBlocksCached, kvTokensStored,
                kvTokensReservedUnused, prefixQueryTokens, prefixHitTokens, preemptions, schedulerCpuNanos, scheduler,
                batcher, HostKv.NONE, Spec.NONE);
    }

    public IterationRow {
        Objects.requireNonNull(scheduler, "IterationRow.scheduler");
        Objects.requireNonNull(spec, "IterationRow.spec");
        Objects.requireNonNull(batcher, "IterationRow.batcher");
        Objects.requireNonNull(host, "IterationRow.host");
        atLeast("iteration", iteration, 0);
        atLeast("replica", replica, 0);
        atLeast("startNanos", startNanos, 0);
        atLeast("endNanos", endNanos, startNanos);
        atLeast("batchSize", batchSize, 0);
        atLeast("prefillSeqs", prefillSeqs, 0);
        atLeast("decodeSeqs", decodeSeqs, 0);
        atLeast("prefillTokens", prefillTokens, 0);
        atLeast("decodeTokens", decodeTokens, 0);
        atLeast("waitingSeqs", waitingSeqs, 0);
        atLeast("runningSeqs", runningSeqs, 0);
        atLeast("kvBlocksUsed", kvBlocksUsed, 0);
        atLeast("kvBlocksTotal", kvBlocksTotal, kvBlocksUsed);
        atLeast("kvBlocksCached", kvBlocksCached, 0);
        atLeast("kvBlocksTotal", kvBlocksTotal, (long) kvBlocksUsed + kvBlocksCached);
        atLeast("kvTokensStored", kvTokensStored, 0);
        atLeast("kvTokensReservedUnused", kvTokensReservedUnused, 0);
        atLeast("prefixHitTokens", prefixHitTokens, 0);
        atLeast("prefixQueryTokens", prefixQueryTokens, prefixHitTokens);
        atLeast("preemptions", preemptions, 0);
        atLeast("schedulerCpuNanos", schedulerCpuNanos, 0);
    }

    private static void atLeast(String field, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException("IterationRow." + field + " must be >= " + min + ", was " + value);
        }
    }
}

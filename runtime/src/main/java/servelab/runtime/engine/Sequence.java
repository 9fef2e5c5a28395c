package servelab.runtime.engine;

import java.util.Arrays;
import java.util.OptionalInt;

import servelab.api.sched.SeqView;
import servelab.datasets.TraceRequest;

/**
 * The engine's mutable state of one request. Policies see it only as {@link SeqView}; the class is package-private,
 * so a plugin cannot cast to it (and in OSGi cannot even load it).
 */
final class Sequence implements SeqView {
    enum State { WAITING, RUNNING, FINISHED }

    final TraceRequest request;
    final int replica;
    State state = State.WAITING;
    int outputTokens;
    int computedTokens;
    int cachedPrefixTokens;
    int preemptions;
    /** KV blocks parked in the host tier after a swap preemption (0 when none), in slots {@code hostSlots}. */
    int hostBlocks;
    /** Host slots in token order: of a swap preemption, or (admitted with a host-tier hit) its match continuation. */
    int[] hostSlots = new int[0];
    /**
     * Admitted in this step with {@code swapInBlocks} entries of {@code hostSlots} to bring back: its own slots after
     * a swap preemption ({@code swapInOwned}; into its first blocks, freed after the step), or its match
     * continuation (after its device hit; offloaded blocks stay in the host tier).
     */
    int swapInBlocks;
    boolean swapInOwned;
    long firstScheduledNanos = -1;
    long firstTokenNanos = -1;
    /** Time each output token was produced; sized once at arrival so decoding never allocates. */
    final long[] tokenTimes;
    /** Device block table: block ids in token order. */
    int[] blocks = new int[4];
    int blockCount;
    /** Step number of the plan this sequence last appeared in (duplicate detection without a set). */
    long planStamp = -1;
    /** Draft tokens proposed for this step's verification ({@code draftCount} of them; 0 = none). */
    int[] draft = new int[0];
    int draftCount;
    /** Speculation totals over the sequence's life: verifications, draft tokens verified, of them accepted. */
    int specDrafts;
    int specDraftTokens;
    int specAcceptedTokens;
    /** Prompt token ids from a {@link PromptSource} (null: synthetic tokens). */
    int[] promptIds;
    /** Output token ids sampled by a real model (null in simulation, where outputs are synthetic identities). */
    int[] outputIds;
    /** Token identity for the prefix cache and the executor; set by whoever creates the sequence. */
    SeqTokens tokens;
    /** Its prefix match while waiting, kept by the {@link KvManager} between plan attempts (null before one). */
    PrefixMatch match;
    /** Leading full blocks already offered to the prefix cache. */
    int publishedBlocks;
    /** Prompt tokens served from the prefix cache at the first admission (-1 before it). */
    int firstCachedPrefixTokens = -1;

    Sequence(TraceRequest request, int replica) {
        this(request, replica, request.outputTokens());
    }

    /** A sequence with room for {@code tokenCapacity} token times: 0 for one refused at once (it makes none). */
    Sequence(TraceRequest request, int replica, int tokenCapacity) {
        this.request = request;
        this.replica = replica;
        this.tokenTimes = new long[tokenCapacity];
    }

    void addBlock(int block) {
        if (blockCount == blocks.length) blocks = Arrays.copyOf(blocks, blocks.length * 2);
        blocks[blockCount++] = block;
    }

    boolean isFinished() {
        return outputTokens == request.outputTokens();
    }

    @Override public long id() { return request.id(); }
    @Override public int promptTokens() { return request.inputTokens(); }
    @Override public int outputTokens() { return outputTokens; }
    @Override public int computedTokens() { return computedTokens; }
    @Override public int maxOutputTokens() { return request.outputTokens(); }
    @Override public long arrivalNanos() { return request.arrivalNanos(); }
    @Override public int priority() { return request.priority(); }
    @Override public String tenant() { return request.tenant(); }
    @Override public int cachedPrefixTokens() { return cachedPrefixTokens; }
    @Override public int preemptions() { return preemptions; }
    @Override public OptionalInt predictedOutputTokens() { return OptionalInt.empty(); }
    @Override public boolean isSwapped() { return hostBlocks > 0; }

    @Override
    public String toString() {
        return "seq " + request.id() + " (" + state + ", computed " + computedTokens + "/"
                + (promptTokens() + outputTokens) + ")";
    }
}

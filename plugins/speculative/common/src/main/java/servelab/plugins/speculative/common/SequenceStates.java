package servelab.plugins.speculative.common;

import java.util.Objects;
import java.util.function.LongFunction;

/**
 * A policy's state per sequence, kept across calls and keyed by sequence id. A speculator sees only the sequences
 * of the current call and is never told that one finished, so a state not asked for during
 * {@code forgetAfterCalls} calls is dropped (at the next sweep, one every {@code forgetAfterCalls} calls, so a
 * state outlives its last use by between one and two windows). A sequence can be away for a while and still be
 * alive (preempted, or back in prefill after a recompute): it then gets a fresh state, so a policy must treat
 * forgetting as costing time, never correctness.
 *
 * <p>Open addressing with linear probing over a {@code long[]} of ids, so a lookup does not box the id (every
 * decoding sequence is looked up every step); a sweep copies the live states into a new table. Never iterated in
 * an order that can reach results. Cost: O(1) expected per {@link #get}, O(size) per sweep. Not thread-safe.
 *
 * @param <S> the state of one sequence
 */
public final class SequenceStates<S> {
    private final int forgetAfterCalls;
    private final LongFunction<S> create;
    private long[] ids = new long[64];
    private Object[] states = new Object[64];
    private long[] lastSeen = new long[64];
    private int size;
    private long call;

    /**
     * @param forgetAfterCalls calls a state may go unasked before it is dropped (at least 1)
     * @param create           the state of a sequence seen for the first time (or again after being forgotten)
     */
    public SequenceStates(int forgetAfterCalls, LongFunction<S> create) {
        if (forgetAfterCalls < 1) {
            throw new IllegalArgumentException("SequenceStates.forgetAfterCalls must be >= 1, was " + forgetAfterCalls);
        }
        this.forgetAfterCalls = forgetAfterCalls;
        this.create = create;
    }

    /** Starts a call (one {@code propose}); every {@code forgetAfterCalls} calls drops the states gone unasked. */
    public void beginCall() {
        call++;
        if (call % forgetAfterCalls == 0) sweep();
    }

    /** The state of {@code seqId}, created when there is none; marks it as asked for in this call. */
    @SuppressWarnings("unchecked")
    public S get(long seqId) {
        int mask = ids.length - 1;
        int i = home(seqId, mask);
        while (states[i] != null && ids[i] != seqId) i = (i + 1) & mask;
        if (states[i] == null) {
            if (2 * (size + 1) > ids.length) {
                rehash(ids.length * 2, Long.MIN_VALUE);
                return get(seqId);
            }
            ids[i] = seqId;
            states[i] = Objects.requireNonNull(create.apply(seqId), "SequenceStates: create returned null");
            size++;
        }
        lastSeen[i] = call;
        return (S) states[i];
    }

    /** States held now. */
    public int size() {
        return size;
    }

    private void sweep() {
        int capacity = 64;
        while (2 * size > capacity) capacity *= 2;
        rehash(capacity, call - forgetAfterCalls);
    }

    /** Moves the states last asked for after {@code seenAfter} into a table of {@code capacity} slots. */
    private void rehash(int capacity, long seenAfter) {
        long[] oldIds = ids;
        Object[] oldStates = states;
        long[] oldSeen = lastSeen;
        ids = new long[capacity];
        states = new Object[capacity];
        lastSeen = new long[capacity];
        size = 0;
        int mask = capacity - 1;
        for (int j = 0; j < oldIds.length; j++) {
            if (oldStates[j] == null || oldSeen[j] <= seenAfter) continue;
            int i = home(oldIds[j], mask);
            while (states[i] != null) i = (i + 1) & mask;
            ids[i] = oldIds[j];
            states[i] = oldStates[j];
            lastSeen[i] = oldSeen[j];
            size++;
        }
    }

    private static int home(long id, int mask) {
        long h = id * 0x9E3779B97F4A7C15L; // Fibonacci hashing: ids that share low bits still spread
        return (int) (h ^ (h >>> 32)) & mask;
    }
}

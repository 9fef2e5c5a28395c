package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.api.PluginKind;
import servelab.api.kv.Eviction;

/**
 * What every eviction policy must do, whatever its order: evict only released blocks, never one that was
 * acquired again, answer -1 exactly when no block is released, and give every released block up eventually.
 * Each policy's test extends this one. Random operations on 24 blocks, checked after every operation.
 */
public abstract class EvictionContractTest extends PluginContract<Eviction> {

    @Override
    protected final PluginKind kind() {
        return PluginKind.EVICTION;
    }

    // --- the engine's calls, as tiny scenarios use them ---------------------------------------------------------

    /** A sequence fills {@code block} at {@code depth} and later finishes: the block is now a candidate. */
    public static void fill(Eviction e, int block, int depth) {
        e.used(block, depth, 0);
        e.released(block, 0);
    }

    /** A later sequence hits {@code block} and finishes. */
    public static void hit(Eviction e, int block, int depth) {
        e.acquired(block, 0);
        e.used(block, depth, 0);
        e.released(block, 0);
    }

    /** Every candidate, in eviction order. */
    public static List<Integer> evictAll(Eviction e) {
        var order = new ArrayList<Integer>();
        for (int b; (b = e.evict(0)) >= 0; ) order.add(b);
        return order;
    }

    static long[] seeds() {
        return new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void evictsOnlyReleasedBlocksAndEveryOneEventually(long seed) {
        for (var params : parameterSets()) evictsOnlyReleasedBlocks(seed, create(params));
    }

    private static void evictsOnlyReleasedBlocks(long seed, Eviction e) {
        var rng = new SplittableRandom(seed);
        var state = new int[24]; // 0 = not indexed, 1 = referenced, 2 = released (a candidate)
        var depth = new int[24];
        var log = new ArrayList<String>();
        try {
            for (int op = 0; op < 600; op++) {
                int b = rng.nextInt(state.length);
                switch (state[b]) {
                    case 0 -> { // filled by a running sequence
                        depth[b] = rng.nextInt(50);
                        e.used(b, depth[b], op);
                        state[b] = 1;
                        log.add("fill " + b + " at depth " + depth[b]);
                    }
                    case 1 -> {
                        if (rng.nextBoolean()) {
                            e.used(b, depth[b], op); // hit by another sequence
                            log.add("hit " + b);
                        } else {
                            e.released(b, op);
                            state[b] = 2;
                            log.add("release " + b);
                        }
                    }
                    default -> {
                        if (rng.nextBoolean()) {
                            e.acquired(b, op);
                            e.used(b, depth[b], op);
                            state[b] = 1;
                            log.add("hit " + b + " (acquired)");
                        } else {
                            int victim = e.evict(op);
                            log.add("evict -> " + victim);
                            check(victim, state);
                            if (victim >= 0) state[victim] = 0;
                        }
                    }
                }
            }
            // every sequence finishes: all indexed blocks are candidates, and all must come out
            for (int b = 0; b < state.length; b++) {
                if (state[b] == 1) e.released(b, 0);
                if (state[b] == 1) state[b] = 2;
            }
            int victim;
            do {
                victim = e.evict(0);
                check(victim, state);
                if (victim >= 0) state[victim] = 0;
            } while (victim >= 0);
        } catch (AssertionError | RuntimeException ex) {
            throw new AssertionError("seed " + seed + ": " + ex.getMessage() + "\noperations:\n  " + String.join("\n  ", log), ex);
        }
    }

    private static void check(int victim, int[] state) {
        boolean anyReleased = false;
        for (int s : state) anyReleased |= s == 2;
        if (victim < 0 && anyReleased) throw new AssertionError("evict gave -1 while blocks are released");
        if (victim >= 0 && state[victim] != 2) {
            throw new AssertionError("evicted block " + victim + ", which is "
                    + (state[victim] == 1 ? "referenced" : "not indexed"));
        }
    }

    @Test
    void evictsNothingWhenNothingIsReleased() {
        var e = create();
        e.used(0, 0, 0);
        assertEquals(-1, e.evict(0));
    }
}

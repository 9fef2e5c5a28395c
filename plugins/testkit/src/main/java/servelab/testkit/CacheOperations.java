package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded random operation sequences (submit, re-match, admit, compute, finish) played on {@link CacheHarness}es,
 * invariants checked after every operation. Given several harnesses (different caches over the same pool), each
 * operation is applied to all of them and they must decide alike. A failure names what was run and lists the
 * operations.
 */
public final class CacheOperations {
    private CacheOperations() {}

    /** Plays {@code operations} random operations on every harness, then drains them; returns the prompts used. */
    public static List<int[]> run(SplittableRandom rng, int blockSize, int operations, List<CacheHarness> harnesses,
                                  String what) {
        var log = new ArrayList<String>();
        var history = new ArrayList<int[]>();
        var prompts = new ArrayList<int[]>();
        try {
            for (int op = 0; op < operations; op++) {
                String first = null;
                var choice = pick(rng, harnesses.getFirst(), blockSize, history, prompts);
                for (var h : harnesses) {
                    String outcome = choice.apply(h);
                    h.checkInvariants();
                    if (first == null) first = outcome;
                    else assertEquals(first, outcome, "caches decided differently");
                }
                log.add(first);
            }
            for (var h : harnesses) h.drain();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(what + ": " + e.getMessage() + "\noperations:\n  " + String.join("\n  ", log), e);
        }
        return prompts;
    }

    /** One random operation, chosen by looking at the first harness and applied to each by request position. */
    private interface Operation {
        String apply(CacheHarness h);
    }

    private static Operation pick(SplittableRandom rng, CacheHarness h, int blockSize, List<int[]> history,
                                  List<int[]> prompts) {
        int roll = rng.nextInt(100);
        if (roll < 20 || h.waiting.isEmpty() && h.running.isEmpty()) {
            var tokens = prompt(rng, blockSize, history);
            prompts.add(tokens);
            var blocks = new TestBlocks(blockSize, tokens);
            return x -> "submit " + x.submit(blocks).tokens;
        }
        if (roll < 35 && !h.waiting.isEmpty()) {
            int i = rng.nextInt(h.waiting.size());
            return x -> x.match(x.waiting.get(i));
        }
        if (roll < 55 && !h.waiting.isEmpty() || h.running.isEmpty()) {
            int i = rng.nextInt(h.waiting.size());
            return x -> x.admit(x.waiting.get(i));
        }
        int i = rng.nextInt(h.running.size());
        if (roll < 82) {
            int blocks = 1 + rng.nextInt(3);
            return x -> x.compute(x.running.get(i), blocks);
        }
        return x -> x.finish(x.running.get(i));
    }

    /**
     * A prompt that often continues an earlier one: shares some of its tokens (whole blocks, or up to any token so
     * that sequences diverge inside a block), then new tokens from a small alphabet (so content repeats by chance)
     * or a large one.
     */
    private static int[] prompt(SplittableRandom rng, int blockSize, List<int[]> history) {
        int[] base = history.isEmpty() || rng.nextInt(4) == 0 ? new int[0] : history.get(rng.nextInt(history.size()));
        int keep = rng.nextInt(base.length + 1);
        if (rng.nextBoolean()) keep = keep / blockSize * blockSize;
        int length = Math.min(12 * blockSize, keep + 1 + rng.nextInt(5 * blockSize));
        int alphabet = rng.nextBoolean() ? 3 : 1000;
        var tokens = new int[length];
        for (int i = 0; i < length; i++) tokens[i] = i < keep ? base[i] : rng.nextInt(alphabet);
        history.add(tokens);
        if (history.size() > 40) history.removeFirst();
        return tokens;
    }
}

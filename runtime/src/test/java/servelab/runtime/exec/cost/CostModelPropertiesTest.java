package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties every cost model must have: each bundled profile's roofline, and a measured model. A measured model's
 * token-count factors follow the executor's measured staircase (TableFit), so in token counts it is monotone only
 * outside the measured ones; in every other argument, always.
 */
class CostModelPropertiesTest {
    @TempDir
    Path dir;

    /** Bundled rooflines by name, plus a two-plane fit to the tiny/cpu roofline as "measured tiny/cpu". */
    private Map<String, CostModel> models() {
        var models = new LinkedHashMap<String, CostModel>();
        for (var name : CostModels.available()) models.put(name, CostModels.load(name));
        models.put("measured tiny/cpu", measured("0.05\n  token_factors: false"));
        return models;
    }

    /** A fit to rows of the tiny/cpu roofline; {@code measuredLines} completes the profile's measured: section. */
    private MeasuredCostModel measured(String measuredLines) {
        var roofline = CostModels.load("tiny/cpu");
        var steps = MeasuredCostModelTest.rows(s -> roofline.stepNanos(s.prefillTokens(), s.decodeTokens(),
                s.batchSeqs(), s.prefillAttentionPairs(), s.decodeContextTokens()) / 1e6);
        return MeasuredCostModelTest.load(dir, steps, measuredLines);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void withTokenFactorsMoreWorkOfAnyOtherKindNeverTakesLessTime(long seed) {
        var model = measured("0.06");
        var factors = model.fit().factors();
        long lastMeasured = factors.tokens()[factors.tokens().length - 1];
        var random = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            int prefill = random.nextInt(2048);
            int decode = 1 + random.nextInt(128);
            int seqs = 1 + random.nextInt(128);
            long pairs = (long) prefill * random.nextInt(4096) + (long) prefill * (prefill + 1) / 2;
            long context = (long) decode * random.nextInt(4096);
            long base = model.stepNanos(prefill, decode, seqs, pairs, context);
            int d = 1 + random.nextInt(512);
            assertTrue(model.stepNanos(prefill, decode, seqs + d, pairs, context) >= base, "seqs");
            assertTrue(model.stepNanos(prefill, decode, seqs, pairs + d * 1000L, context) >= base, "pairs");
            assertTrue(model.stepNanos(prefill, decode, seqs, pairs, context + d * 100L) >= base, "context");
            // past the last measured token count the factor is held, so tokens are monotone there too
            int beyond = (int) lastMeasured + random.nextInt(4096);
            assertTrue(model.stepNanos(beyond + d, 0, 1, pairs, 0) >= model.stepNanos(beyond, 0, 1, pairs, 0), "tokens");
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 20250101})
    void moreWorkNeverTakesLessTime(long seed) {
        var random = new Random(seed);
        for (var entry : models().entrySet()) {
            var name = entry.getKey();
            var model = entry.getValue();
            for (int i = 0; i < 2_000; i++) {
                int prefill = random.nextInt(4) == 0 ? 0 : random.nextInt(8192);
                int decode = random.nextInt(4) == 0 ? 0 : random.nextInt(256);
                int seqs = 1 + random.nextInt(256);
                long pairs = prefill == 0 ? 0 : (long) prefill * random.nextInt(8192) + (long) prefill * (prefill + 1) / 2;
                long context = (long) decode * random.nextInt(8192);
                long base = model.stepNanos(prefill, decode, seqs, pairs, context);
                // grow one argument at a time; the step must not get shorter
                int which = random.nextInt(5);
                int d = 1 + random.nextInt(512);
                long grown = switch (which) {
                    case 0 -> model.stepNanos(prefill + d, decode, seqs, pairs, context);
                    case 1 -> model.stepNanos(prefill, decode + d, seqs, pairs, context);
                    case 2 -> model.stepNanos(prefill, decode, seqs + d, pairs, context);
                    case 3 -> model.stepNanos(prefill, decode, seqs, pairs + (long) d * 1000, context);
                    default -> model.stepNanos(prefill, decode, seqs, pairs, context + (long) d * 100);
                };
                int fi = i;
                assertTrue(grown >= base, () -> String.format("%s seed %d step %d: growing argument %d by %d of"
                                + " (%d, %d, %d, %d, %d) took %d ns < %d ns", name, seed, fi, which, d, prefill, decode,
                        seqs, pairs, context, grown, base));
            }
        }
    }

    @Test
    void stepNanosDoesNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (var entry : models().entrySet()) {
            var name = entry.getKey();
            var model = entry.getValue();
            long sink = 0;
            for (int i = 0; i < 20_000; i++) sink += model.stepNanos(i % 512, i % 64, 1 + i % 64, i * 100L, i * 10L); // warm up
            // the least of three rounds: a round can catch the JIT's own allocations (a recompilation), which are
            // not the call's; one allocation per call shows in every round
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 100_000; i++) sink += model.stepNanos(i % 512, i % 64, 1 + i % 64, i * 100L, i * 10L);
                allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
            }
            // one allocation per call would be >= 1.6 MB; allow a few hundred bytes for the measurement itself
            assertTrue(allocated < 1024, name + " allocated " + allocated + " bytes in 100,000 steps (sink " + sink + ")");
        }
    }

    @Test
    void everyBundledProfileDescribesItself() {
        for (var name : CostModels.available()) {
            var text = CostModels.load(name).describe();
            assertTrue(text.startsWith("roofline ") && text.contains("tp="), name + ": " + text);
        }
    }
}

package servelab.kernels.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.matmul.PackedPanels;
import servelab.kernels.matmul.PackedWeights;
import servelab.kernels.matmul.WeightFormat;

/**
 * The forward pass of a Q8_0 model on the packed kernels ({@code cpu-packed}): a row's logits do not depend on the
 * step it is computed in, bit for bit, as on the Vector API kernels ({@link ForwardTest}), and they differ from those
 * kernels' only in rounding. {@link F16}, {@link Q4} and {@link BF16} run the same on models of those formats.
 */
class PackedForwardTest {
    Llama model() {
        return TinyModels.of(WeightFormat.Q8_0);
    }

    static final class F16 extends PackedForwardTest {
        @Override
        Llama model() {
            return TinyModels.of(WeightFormat.F16);
        }
    }

    static final class Q4 extends PackedForwardTest {
        @Override
        Llama model() {
            return TinyModels.of(WeightFormat.Q4_0);
        }
    }

    static final class BF16 extends PackedForwardTest {
        @Override
        Llama model() {
            return TinyModels.of(WeightFormat.BF16);
        }
    }

    private static PackedWeights packed;
    private static Kernels kernels;

    @BeforeAll
    static void pack() {
        assumeTrue(PackedPanels.supported(), "the packed kernels need 256-bit vectors");
        packed = new PackedWeights(Parallel.of(2));
        kernels = Kernels.offload(Kernels.vector(Parallel.of(2)), packed);
    }

    @AfterAll
    static void free() {
        if (packed != null) packed.close();
    }

    private int[] prompt(int n) {
        return Arrays.copyOf(model().tokenizer().encode("Requests wait, are batched, and leave with their tokens. ".repeat(6)), n);
    }

    private PagedKvCache paged() {
        var c = model().config();
        return new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), 4, 16);
    }

    @Test
    void aBatchedStepEqualsPerSequenceStepsBitForBit() {
        var llama = model();
        var config = llama.config();
        var a = new KvAddress.Blocks(new int[] {0, 1, 2, 3});
        var b = new KvAddress.Blocks(new int[] {4, 5, 6, 7});
        var c = new KvAddress.Blocks(new int[] {8, 9, 10, 11});
        var batch = List.of(
                SequenceChunk.decode(17, 9, a),
                new SequenceChunk(new int[] {40, 41, 42}, 5, b, 3),
                SequenceChunk.prefill(prompt(7), 0, c, true));
        var batchedCache = paged();
        var singleCache = paged();
        for (var cache : List.of(batchedCache, singleCache)) {
            Forward.step(llama, new ForwardState(config, kernels), cache, List.of(SequenceChunk.prefill(prompt(9), 0, a, false),
                    SequenceChunk.prefill(prompt(5), 0, b, false)));
        }
        var batched = Forward.step(llama, new ForwardState(config, kernels), batchedCache, batch);
        var state = new ForwardState(config, kernels);
        for (int s = 0; s < batch.size(); s++) {
            var single = Forward.step(llama, state, singleCache, List.of(batch.get(s)));
            assertEquals(single.rows(0), batched.rows(s));
            for (int j = 0; j < single.rows(0); j++) {
                assertArrayEquals(single.row(0, j), batched.row(s, j), "sequence " + s + " row " + j);
            }
        }
    }

    @Test
    void chunkedPrefillEqualsWholePrefillAndOneTokenAtATime() {
        var llama = model();
        var config = llama.config();
        var prompt = prompt(23);
        var slot = new KvAddress.Blocks(new int[] {0, 1, 2, 3, 4, 5});
        var whole = Forward.step(llama, new ForwardState(config, kernels), paged(), List.of(SequenceChunk.prefill(prompt, 0, slot, true)));
        var wholeRow = whole.row(0, whole.rows(0) - 1);
        var cache = paged();
        var state = new ForwardState(config, kernels);
        float[] last = null;
        for (int p = 0; p < prompt.length; p++) { // batch 1 throughout: the matvec kernel, not the tiles
            var logits = Forward.step(llama, state, cache, List.of(SequenceChunk.prefill(new int[] {prompt[p]}, p, slot,
                    p == prompt.length - 1)));
            if (p == prompt.length - 1) last = logits.row(0, 0);
        }
        assertArrayEquals(wholeRow, last);
        var vector = Forward.step(llama, new ForwardState(config, Kernels.vector(Parallel.of(2))), paged(),
                List.of(SequenceChunk.prefill(prompt, 0, slot, true)));
        var vectorRow = vector.row(0, vector.rows(0) - 1);
        double worst = 0;
        for (int i = 0; i < wholeRow.length; i++) worst = Math.max(worst, Math.abs(wholeRow[i] - vectorRow[i]));
        assertTrue(worst > 0 && worst < 1e-3, "packed and Vector API kernels differ in rounding only: " + worst);
    }
}

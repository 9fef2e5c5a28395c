package servelab.kernels.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.kernels.Kernels;
import servelab.kernels.Parallel;
import servelab.kernels.attention.ContiguousKvCache;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.KvCache;
import servelab.kernels.attention.PagedKvCache;

class ForwardTest {
    /** The acceptance bound for F32: paged against contiguous attention. */
    private static final double MAX_ABS_ERROR = 1e-5;
    private static final Llama MODEL = TinyModels.f32();
    private static final Config C = MODEL.config();
    private static final Kernels VECTOR = Kernels.vector(Parallel.of(2));

    private static int[] prompt(int n) {
        return Arrays.copyOf(MODEL.tokenizer().encode(("The scheduler orders the waiting requests, and the batcher decides "
                + "how many tokens each one may compute in the next step. ").repeat(4)), n);
    }

    private static PagedKvCache paged(int blockSize, int blocks) {
        return new PagedKvCache(C.layers(), C.kvHeads(), C.headDim(), blockSize, blocks);
    }

    private static ContiguousKvCache contiguous(int slots) {
        return new ContiguousKvCache(C.layers(), C.kvHeads(), C.headDim(), slots, 128);
    }

    private static float[] lastRow(Logits logits, int s) {
        return logits.row(s, logits.rows(s) - 1);
    }

    private static double maxAbsDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    /** A prefill of {@code prompt} then decodes of the greedy tokens; every step's last logits row, concatenated. */
    private static List<float[]> prefillThenDecode(KvCache cache, KvAddress address, int[] prompt, int decodes) {
        var state = new ForwardState(C, VECTOR);
        var rows = new ArrayList<float[]>();
        var logits = Forward.step(MODEL, state, cache, List.of(SequenceChunk.prefill(prompt, 0, address, true)));
        rows.add(lastRow(logits, 0));
        for (int i = 0; i < decodes; i++) {
            int next = servelab.kernels.sample.Sampler.argmax(rows.getLast(), 0, C.vocabularySize());
            logits = Forward.step(MODEL, state, cache, List.of(SequenceChunk.decode(next, prompt.length + i, address)));
            rows.add(lastRow(logits, 0));
        }
        return rows;
    }

    @Test
    void pagedAttentionGivesTheSameLogitsAsContiguous() {
        var prompt = prompt(21);
        // blocks of 4 in a shuffled order, so positions 0..26 are scattered over the pool
        var table = new KvAddress.Blocks(new int[] {5, 0, 9, 2, 7, 1, 3});
        var paged = prefillThenDecode(paged(4, 10), table, prompt, 6);
        var contiguous = prefillThenDecode(contiguous(2), new KvAddress.Slot(1), prompt, 6);
        for (int i = 0; i < paged.size(); i++) {
            double error = maxAbsDifference(contiguous.get(i), paged.get(i));
            assertTrue(error <= MAX_ABS_ERROR, "step " + i + ": max abs error " + error);
        }
    }

    @Test
    void aBatchedStepEqualsPerSequenceSteps() {
        // given: three sequences with 9, 5 and 0 tokens already cached, in one paged pool
        var a = new KvAddress.Blocks(new int[] {0, 1, 2, 3});
        var b = new KvAddress.Blocks(new int[] {4, 5, 6, 7});
        var c = new KvAddress.Blocks(new int[] {8, 9, 10, 11});
        var batch = List.of(
                SequenceChunk.decode(17, 9, a),                                // a decode
                new SequenceChunk(new int[] {40, 41, 42}, 5, b, 3),            // a verification of 2 drafts
                SequenceChunk.prefill(prompt(7), 0, c, true));                // a whole prefill
        var batchedCache = paged(4, 12);
        var singleCache = paged(4, 12);
        for (var cache : List.of(batchedCache, singleCache)) {
            var state = new ForwardState(C, VECTOR);
            Forward.step(MODEL, state, cache, List.of(SequenceChunk.prefill(prompt(9), 0, a, false),
                    SequenceChunk.prefill(prompt(5), 0, b, false)));
        }
        // when: one batched step, and the same chunks one per step
        var batched = Forward.step(MODEL, new ForwardState(C, VECTOR), batchedCache, batch);
        var state = new ForwardState(C, VECTOR);
        for (int s = 0; s < batch.size(); s++) {
            var single = Forward.step(MODEL, state, singleCache, List.of(batch.get(s)));
            // then: the same rows, bit for bit (each output is computed by the same code from the same inputs)
            assertEquals(single.rows(0), batched.rows(s));
            for (int j = 0; j < single.rows(0); j++) {
                assertArrayEquals(single.row(0, j), batched.row(s, j), "sequence " + s + " row " + j);
            }
        }
    }

    @Test
    void chunkedPrefillEqualsWholePrefill() {
        var prompt = prompt(37);
        var whole = new ContiguousKvCache(C.layers(), C.kvHeads(), C.headDim(), 1, 64);
        var chunked = new ContiguousKvCache(C.layers(), C.kvHeads(), C.headDim(), 1, 64);
        var slot = new KvAddress.Slot(0);
        var wholeLogits = lastRow(Forward.step(MODEL, new ForwardState(C, VECTOR), whole, List.of(SequenceChunk.prefill(prompt, 0, slot, true))), 0);
        var state = new ForwardState(C, VECTOR);
        Logits logits = null;
        for (int start = 0; start < prompt.length; start += 16) {
            int end = Math.min(prompt.length, start + 16);
            logits = Forward.step(MODEL, state, chunked, List.of(SequenceChunk.prefill(Arrays.copyOfRange(prompt, start, end), start,
                    slot, end == prompt.length)));
        }
        // 16 + 16 + 5 tokens: the same logits and the same cache, bit for bit
        assertArrayEquals(wholeLogits, lastRow(logits, 0));
        for (int l = 0; l < C.layers(); l++) {
            assertArrayEquals(whole.keys(l), chunked.keys(l), "keys of layer " + l);
            assertArrayEquals(whole.values(l), chunked.values(l), "values of layer " + l);
        }
    }

    @Test
    void logitTokensSelectsTheTrailingRows() {
        var cache = paged(4, 8);
        var address = new KvAddress.Blocks(new int[] {0, 1, 2});
        var all = Forward.step(MODEL, new ForwardState(C, VECTOR), cache, List.of(new SequenceChunk(prompt(6), 0, address, 6)));
        var lastTwo = Forward.step(MODEL, new ForwardState(C, VECTOR), paged(4, 8), List.of(new SequenceChunk(prompt(6), 0, address, 2)));
        assertEquals(6, all.rows(0));
        assertEquals(2, lastTwo.rows(0));
        assertArrayEquals(all.row(0, 4), lastTwo.row(0, 0));
        assertArrayEquals(all.row(0, 5), lastTwo.row(0, 1));
    }

    @Test
    void aBadBatchIsRefusedBeforeTheCacheIsWritten() {
        var cache = paged(4, 4);
        var ok = SequenceChunk.prefill(prompt(4), 0, new KvAddress.Blocks(new int[] {0}), true);
        var clash = SequenceChunk.prefill(prompt(2), 2, new KvAddress.Blocks(new int[] {0}), true);
        var state = new ForwardState(C, VECTOR);
        var overlap = assertThrows(IllegalArgumentException.class, () -> Forward.step(MODEL, state, cache, List.of(ok, clash)));
        assertEquals("batch entry 1 (Blocks[0]): position 2 would overwrite a cache row another entry of this batch writes",
                overlap.getMessage());
        var token = assertThrows(IllegalArgumentException.class, () -> Forward.step(MODEL, state, cache,
                List.of(SequenceChunk.decode(C.vocabularySize(), 0, new KvAddress.Blocks(new int[] {1})))));
        assertEquals("batch entry 0 (Blocks[1]): token " + C.vocabularySize() + " outside the vocabulary 0.."
                + (C.vocabularySize() - 1), token.getMessage());
        var table = assertThrows(IllegalArgumentException.class, () -> Forward.step(MODEL, state, cache,
                List.of(SequenceChunk.prefill(prompt(6), 0, new KvAddress.Blocks(new int[] {1}), true))));
        assertEquals("batch entry 0 (Blocks[1]): 6 positions need 2 blocks of 4, the block table has 1", table.getMessage());
        var context = assertThrows(IllegalArgumentException.class, () -> Forward.step(MODEL, state, contiguous(1),
                List.of(SequenceChunk.decode(1, C.contextLength(), new KvAddress.Slot(0)))));
        assertTrue(context.getMessage().endsWith("exceed the model's context length " + C.contextLength()), context.getMessage());
        // nothing was stored: the cache is still all zeros
        for (int l = 0; l < C.layers(); l++) {
            for (float v : cache.keys(l)) {
                assertEquals(0f, v);
            }
        }
    }

    /** A matmul offload that computes with the scalar reference and counts what it was given. */
    private static final class CountingOffload implements servelab.kernels.MatmulOffload {
        final java.util.Set<servelab.kernels.matmul.Matrix> seen =
                java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int calls;

        @Override public boolean handles(servelab.kernels.matmul.Matrix w) { return true; }

        @Override
        public void matmul(servelab.kernels.matmul.Matrix w, float[] x, int batch, float[] out) {
            calls++;
            seen.add(w);
            servelab.kernels.matmul.MatMul.reference(w, x, batch, out);
        }

        @Override public String describe() { return "counting"; }
    }

    @Test
    void offloadedMatmulsRunEveryWeightMatrixThereAndNothingElseChanges() {
        var offload = new CountingOffload();
        var reference = Kernels.reference();
        var prompt = prompt(19);
        var a = paged(8, 4);
        var b = paged(8, 4);
        var address = new KvAddress.Blocks(new int[] {0, 1, 2, 3});
        var plain = Forward.step(MODEL, new ForwardState(C, reference), a, List.of(SequenceChunk.prefill(prompt, 0, address, true)));
        float[] expected = lastRow(plain, 0);
        var offloaded = Forward.step(MODEL, new ForwardState(C, Kernels.offload(reference, offload)), b,
                List.of(SequenceChunk.prefill(prompt, 0, address, true)));
        assertArrayEquals(expected, lastRow(offloaded, 0), "the same reference matmul, wherever it runs");
        // 7 projections per layer and the classifier, each once per step
        assertEquals(7 * C.layers() + 1, offload.calls);
        assertEquals(7 * C.layers() + 1, offload.seen.size());
    }

    @Test
    void aStepThroughTheFirstLayersOnlyWritesOnlyThoseLayersAndEqualsATruncatedModel() {
        var prompt = prompt(12);
        var address = new KvAddress.Blocks(new int[] {0, 1});
        var cache = paged(8, 2);
        var logits = Forward.step(MODEL, new ForwardState(C, VECTOR), cache, List.of(SequenceChunk.prefill(prompt, 0, address, true)), 1);
        var truncated = new Llama(new Config(C.dim(), 1, C.heads(), C.kvHeads(), C.headDim(), C.ffnDim(), C.vocabularySize(),
                C.contextLength(), C.rmsEps(), C.ropeTheta()), MODEL.tokenizer(), new Weights(MODEL.weights().tokenEmbedding(),
                MODEL.weights().layers().subList(0, 1), MODEL.weights().outputNorm(), MODEL.weights().classifier(),
                MODEL.weights().ropeFrequencies()));
        var one = new PagedKvCache(1, C.kvHeads(), C.headDim(), 8, 2);
        var expected = Forward.step(truncated, new ForwardState(truncated.config(), VECTOR), one,
                List.of(SequenceChunk.prefill(prompt, 0, address, true)));
        assertArrayEquals(lastRow(expected, 0), lastRow(logits, 0));
        for (int l = 1; l < C.layers(); l++) {
            for (float v : cache.keys(l)) assertEquals(0f, v, "layer " + l + " was not run");
        }
        assertThrows(IllegalArgumentException.class, () -> Forward.step(MODEL, new ForwardState(C, VECTOR), cache,
                List.of(SequenceChunk.prefill(prompt, 0, address, true)), C.layers() + 1));
    }
}

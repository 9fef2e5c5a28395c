package servelab.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import servelab.kernels.Kernels;
import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.gguf.GgufFile;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.Forward;
import servelab.kernels.model.ForwardState;
import servelab.kernels.model.Llama;
import servelab.kernels.model.Logits;
import servelab.kernels.model.RandomLlama;
import servelab.kernels.model.ResidentForward;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.sample.Sampler;
import servelab.kernels.sample.SamplingParams;
import servelab.kernels.sample.SeededSampler;
import servelab.kernels.sample.SpeculativeVerifier;

/**
 * The device-resident forward step against the CPU reference forward over the same block tables: chunked prefill,
 * a prefix block shared by two sequences (a prefix-cache hit: the second sequence starts after it), mixed
 * prefill + decode batches, greedy decodes and a speculative verification chunk. Greedy tokens must be identical and
 * every logit within 1e-3 relative (the device sums in another order and contracts multiply-adds).
 */
class DeviceForwardTest {
    private static final int BLOCK = 16;
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F16", "Q8_0", "Q4_0"})
    void deviceStepsMatchTheReferenceThroughPrefixHitsChunksAndVerification(WeightFormat format) throws Exception {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(format), 11);
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            var c = model.config();
            var capacity = new DeviceForward.Capacity(32, 8, 4, 4, 16, BLOCK);
            try (var device = new DeviceForward(model, capacity)) {
                var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK, 16);
                var cpu = new ForwardState(c, Kernels.reference());
                var a = new KvAddress.Blocks(new int[] {0, 1, 2, 3});
                var b = new KvAddress.Blocks(new int[] {0, 5, 6, 7});   // block 0 is a's: b's first 16 tokens hit the prefix
                int[] prompt = tokens(c.vocabularySize(), 20, 3);
                int[] bPrompt = Arrays.copyOf(prompt, 24);
                System.arraycopy(tokens(c.vocabularySize(), 8, 9), 0, bPrompt, 16, 8);

                check(model, device, cpu, cache, List.of(SequenceChunk.prefill(Arrays.copyOf(prompt, 12), 0, a, false)));
                int[] next = check(model, device, cpu, cache, List.of(
                        SequenceChunk.prefill(Arrays.copyOfRange(prompt, 12, 20), 12, a, true),
                        SequenceChunk.prefill(Arrays.copyOfRange(bPrompt, 16, 24), 16, b, true)));
                int aLength = 20;
                int bLength = 24;
                for (int step = 0; step < 4; step++) {
                    next = check(model, device, cpu, cache, List.of(
                            SequenceChunk.decode(next[0], aLength++, a), SequenceChunk.decode(next[1], bLength++, b)));
                }
                // verify two drafts for a: three logit rows from one chunk
                check(model, device, cpu, cache, List.of(new SequenceChunk(new int[] {next[0], 5, 7}, aLength, a, 3)));
                // rejection sampling of drafts on the device: each row's token is drawn with its own uniform and a
                // draft is kept when the draw equals it; uniforms inside a draft's slice of the CDF keep it, one
                // outside rejects it (that row's draw is the token), and a verification that keeps all three drafts
                // draws the token after them
                int[] draftsA = {7, 11, 13};
                int[] draftsB = {5, 6, 8};
                var verifications = List.of(
                        new SequenceChunk(new int[] {next[0], draftsA[0], draftsA[1], draftsA[2]}, aLength, a, 4),
                        new SequenceChunk(new int[] {next[1], draftsB[0], draftsB[1], draftsB[2]}, bLength, b, 4));
                float temperature = 0.9f;
                var params = SamplingParams.temperature(temperature);
                Logits target = Forward.step(model, cpu, cache, verifications);
                int[][] drafts = {draftsA, draftsB};
                var rows = new float[2][4][];
                for (int v = 0; v < 2; v++) {
                    for (int j = 0; j < 4; j++) {
                        rows[v][j] = params.probabilities(target.values(), target.offset(v, j), c.vocabularySize());
                    }
                }
                double[][] us = {
                        {inside(rows[0][0], draftsA[0]), inside(rows[0][1], draftsA[1]), outside(rows[0][2], draftsA[2]), 0.37},
                        {inside(rows[1][0], draftsB[0]), inside(rows[1][1], draftsB[1]), inside(rows[1][2], draftsB[2]), 0.61}};
                var verify = new ResidentForward.Verify[] {new ResidentForward.Verify(temperature, us[0]),
                        new ResidentForward.Verify(temperature, us[1])};
                var verified = device.step(verifications, c.layers(),
                        new ResidentForward.Draws(new SamplingParams[8], new double[8], verify), false).verified();
                for (int v = 0; v < 2; v++) {
                    var expectedTokens = SpeculativeVerifier.rejectionByDraw(drafts[v], rows[v], us[v]).tokens();
                    assertArrayEquals(expectedTokens, verified[v], "verification " + v);
                }
                assertEquals(3, verified[0].length, "two drafts kept, the third rejected and redrawn");
                assertEquals(4, verified[1].length, "all three kept and one more drawn");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32"})
    void oneTokenThenOnePrefillMatchTheReference(WeightFormat format) throws Exception {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(format), 11);
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            var c = model.config();
            try (var device = new DeviceForward(model, new DeviceForward.Capacity(8, 2, 2, 2, 4, BLOCK))) {
                var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK, 4);
                var cpu = new ForwardState(c, Kernels.reference());
                check(model, device, cpu, cache, List.of(SequenceChunk.decode(7, 0, new KvAddress.Blocks(new int[] {2}))));
                check(model, device, cpu, cache, List.of(SequenceChunk.prefill(new int[] {4, 5, 6}, 0,
                        new KvAddress.Blocks(new int[] {1}), true)));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0"})
    void aChunkThatNoRunHoldsIsRefusedBeforeAnythingRuns(WeightFormat format) throws Exception {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(format), 11);
        try (var file = GgufFile.open(path); var device = new DeviceForward(Llama.load(file),
                new DeviceForward.Capacity(4, 2, 2, 2, 4, BLOCK))) {
            var a = new KvAddress.Blocks(new int[] {0, 1});
            var e = assertThrows(IllegalArgumentException.class, () -> device.step(List.of(
                    new SequenceChunk(new int[] {1, 2, 3, 4, 5}, 0, a, 3))));
            assertEquals("a chunk (Blocks[0, 1]) wants 3 logit rows; a device run holds 2", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> device.step(List.of(
                    new SequenceChunk(new int[] {1, 2, 3}, 0, a, 3))));   // fits the tokens, not the rows
            assertEquals("a chunk (Blocks[0, 1]) wants 3 logit rows; a device run holds 2", e.getMessage());
            var outside = new KvAddress.Blocks(new int[] {9});
            e = assertThrows(IllegalArgumentException.class, () -> device.step(List.of(SequenceChunk.decode(1, 0, outside))));
            assertEquals("batch entry 0 (Blocks[9]): block 9 is outside the device pool of 4", e.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0"})
    void layerSkipStepsSwapsAndStepsOverTheCapacityMatchTheReference(WeightFormat format) throws Exception {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(format), 11);
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            var c = model.config();
            // runs of at most 16 tokens, 2 logit rows and 2 chunks: the batches below need several, and two runs
            // are full (with the attention's barriers inside a branch, a full run corrupted PoCL 3.1's heap)
            try (var device = new DeviceForward(model, new DeviceForward.Capacity(16, 2, 2, 4, 12, BLOCK))) {
                var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK, 12);
                var cpu = new ForwardState(c, Kernels.reference());
                var a = new KvAddress.Blocks(new int[] {0, 1, 2});
                var b = new KvAddress.Blocks(new int[] {3});
                var d = new KvAddress.Blocks(new int[] {4});
                int[] prompt = tokens(c.vocabularySize(), 40, 5);
                // a 40-token prefill cut into three runs (16, 8 and 16 tokens), then one run of the other two chunks
                int[] next = check(model, device, cpu, cache, List.of(SequenceChunk.prefill(prompt, 0, a, true),
                        SequenceChunk.prefill(Arrays.copyOf(prompt, 3), 0, b, true),
                        SequenceChunk.decode(9, 0, d)), c.layers());
                // layer-skip drafting: the first layer only, keys and values of that layer into the pool
                check(model, device, cpu, cache, List.of(SequenceChunk.decode(next[0], 40, a),
                        SequenceChunk.decode(next[1], 3, b)), 1);
                // swap a's blocks out, and back in to other block ids (as a swap-in after preemption does)
                int blockFloats = device.blockFloats();
                var hostKeys = new float[c.layers()][4 * blockFloats];
                var hostValues = new float[c.layers()][4 * blockFloats];
                device.read(new int[] {0, 1, 2}, new int[] {3, 1, 0}, hostKeys, hostValues);
                for (int l = 0; l < c.layers(); l++) {
                    assertArrayEquals(Arrays.copyOfRange(cache.keys(l), 0, blockFloats),
                            Arrays.copyOfRange(hostKeys[l], 3 * blockFloats, 4 * blockFloats), 1e-4f, "layer " + l + " keys");
                    assertArrayEquals(Arrays.copyOfRange(cache.values(l), blockFloats, 2 * blockFloats),
                            Arrays.copyOfRange(hostValues[l], blockFloats, 2 * blockFloats), 1e-4f, "layer " + l + " values");
                }
                device.write(new int[] {8, 9, 10}, new int[] {3, 1, 0}, hostKeys, hostValues);
                for (int l = 0; l < c.layers(); l++) {   // the same move in the reference pool
                    System.arraycopy(cache.keys(l), 0, cache.keys(l), 8 * blockFloats, 3 * blockFloats);
                    System.arraycopy(cache.values(l), 0, cache.values(l), 8 * blockFloats, 3 * blockFloats);
                }
                var moved = new KvAddress.Blocks(new int[] {8, 9, 10});
                check(model, device, cpu, cache, List.of(SequenceChunk.decode(next[0], 40, moved)), c.layers());
                // draws on the device: rows at temperatures 0.7 and 1.3 and a greedy row, each uniform as the CPU
                // sampler's first nextDouble() for its token
                var batch = List.of(SequenceChunk.decode(next[0], 41, moved), SequenceChunk.decode(next[1], 4, b),
                        SequenceChunk.decode(3, 1, d));
                float[] temperatures = {0.7f, 1.3f, 0f};
                var rowParams = new SamplingParams[3];
                for (int r = 0; r < 3; r++) {
                    rowParams[r] = temperatures[r] == 0 ? SamplingParams.greedy() : SamplingParams.temperature(temperatures[r]);
                }
                double[] uniforms = new double[3];
                for (int r = 0; r < 3; r++) uniforms[r] = new java.util.SplittableRandom(77 + r).nextDouble();
                Logits expected = Forward.step(model, cpu, cache, batch);
                var drawn = device.step(batch, c.layers(), new ResidentForward.Draws(rowParams, uniforms), false);
                for (int r = 0; r < 3; r++) {
                    var params = temperatures[r] == 0 ? SamplingParams.greedy() : SamplingParams.temperature(temperatures[r]);
                    int want = SeededSampler.of(params, 77 + r).sample(expected.values(), expected.offset(r, 0),
                            c.vocabularySize());
                    assertEquals(want, drawn.tokens()[r], "row " + r + " at temperature " + temperatures[r]);
                }
                var e = assertThrows(IllegalArgumentException.class,
                        () -> device.read(new int[] {12}, new int[] {0}, hostKeys, hostValues));
                assertEquals("block 12 is outside the device pool of 12", e.getMessage());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0"})
    void contextsLongerThanATileGoTileAfterTile(WeightFormat format) throws Exception {
        var path = dir.resolve("long.gguf");
        RandomLlama.write(path, tinyShaped(format, RandomLlama.Spec.tiny(format).layers(), 8192, false), 13);
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            var c = model.config();
            int length = AttentionKernels.TILE + 550;   // two tiles of positions
            int blocks = (length + 8 + BLOCK - 1) / BLOCK;
            try (var device = new DeviceForward(model, new DeviceForward.Capacity(1024, 2, 2, blocks, blocks, BLOCK))) {
                var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK, blocks);
                var cpu = new ForwardState(c, Kernels.reference());
                var table = new int[blocks];
                for (int b = 0; b < blocks; b++) table[b] = blocks - 1 - b;   // any order: the table says where
                var a = new KvAddress.Blocks(table);
                int[] prompt = tokens(c.vocabularySize(), length, 21);
                int[] next = check(model, device, cpu, cache, List.of(SequenceChunk.prefill(prompt, 0, a, true)));
                for (int p = length; p < length + 3; p++) {
                    next = check(model, device, cpu, cache, List.of(SequenceChunk.decode(next[0], p, a)));
                }
            }
        }
    }

    /**
     * A run of few tokens over long contexts splits each head's positions (flash-decoding) and merges the splits:
     * decodes of a 700-position and a 40-position sequence together take 3 splits (one per 256 positions of the
     * longest), some of the short one's spans empty; the short one alone, and a prefill, are not split.
     */
    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"Q8_0"})
    void decodesOverLongContextsSplitTheirAttentionAndMergeIt(WeightFormat format) throws Exception {
        var path = dir.resolve("split.gguf");
        RandomLlama.write(path, tinyShaped(format, RandomLlama.Spec.tiny(format).layers(), 2048, false), 17);
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            var c = model.config();
            int blocks = 2 * 48;
            try (var device = new DeviceForward(model, new DeviceForward.Capacity(1024, 4, 4, 48, blocks, BLOCK))) {
                var cache = new PagedKvCache(c.layers(), c.kvHeads(), c.headDim(), BLOCK, blocks);
                var cpu = new ForwardState(c, Kernels.reference());
                var tableA = new int[48];
                var tableB = new int[48];
                for (int b = 0; b < 48; b++) {
                    tableA[b] = 2 * b + 1;
                    tableB[b] = 2 * (47 - b);
                }
                var a = new KvAddress.Blocks(tableA);
                var b = new KvAddress.Blocks(tableB);
                int nextA = check(model, device, cpu, cache,
                        List.of(SequenceChunk.prefill(tokens(c.vocabularySize(), 700, 5), 0, a, true)))[0];
                assertEquals(1, device.lastRunSplits(), "a prefill of 700 tokens");
                int nextB = check(model, device, cpu, cache,
                        List.of(SequenceChunk.prefill(tokens(c.vocabularySize(), 40, 6), 0, b, true)))[0];
                for (int p = 0; p < 3; p++) {
                    int[] next = check(model, device, cpu, cache, List.of(SequenceChunk.decode(nextA, 700 + p, a),
                            SequenceChunk.decode(nextB, 40 + p, b)));
                    assertEquals(3, device.lastRunSplits(), "decodes at positions " + (700 + p) + " and " + (40 + p));
                    nextA = next[0];
                    nextB = next[1];
                }
                check(model, device, cpu, cache, List.of(SequenceChunk.decode(nextB, 43, b)));
                assertEquals(1, device.lastRunSplits(), "a decode at position 43");
            }
        }
    }

    @Test
    void splitsFollowTheLongestContextWithinTheirBounds() {
        assertEquals(1, StepMetadata.splitsFor(1, 256, 16));
        assertEquals(2, StepMetadata.splitsFor(1, 257, 16));
        assertEquals(16, StepMetadata.splitsFor(1, 100_000, 16));
        assertEquals(4, StepMetadata.splitsFor(1, 100_000, 4));
        assertEquals(8, StepMetadata.splitsFor(32, 100_000, 16));   // 32 tokens x 8 splits: 256 partial rows
        assertEquals(1, StepMetadata.splitsFor(512, 100_000, 16));  // a prefill
        assertEquals(1, StepMetadata.splitsFor(0, 0, 16));          // the empty run that makes the buffers
        System.setProperty(DeviceForward.SPLITS_PROPERTY, "0");
        try {
            var e = assertThrows(IllegalArgumentException.class, DeviceForward::maxSplits);
            assertEquals("-Dservelab.tornado.attentionSplits must be a whole number from 1 to 64 (1: never split), "
                    + "was '0'", e.getMessage());
        } finally {
            System.clearProperty(DeviceForward.SPLITS_PROPERTY);
        }
        assertEquals(16, DeviceForward.maxSplits());
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"BF16"})
    void aWeightFormatWithoutDeviceKernelsIsRefusedByName(WeightFormat format) throws Exception {
        var path = dir.resolve("tiny.gguf");
        RandomLlama.write(path, RandomLlama.Spec.tiny(format), 11);
        try (var file = GgufFile.open(path)) {
            var model = Llama.load(file);
            var e = assertThrows(IllegalArgumentException.class,
                    () -> DeviceForward.create(model, BLOCK, 8));
            assertEquals("the TornadoVM device forward runs F32, F16, Q8_0 and Q4_0 weights, not BF16", e.getMessage());
        }
    }

    /** Runs {@code batch} on both through every layer; returns the greedy token of each chunk's last logit row. */
    static int[] check(Llama model, DeviceForward device, ForwardState cpu, PagedKvCache cache,
                               List<SequenceChunk> batch) {
        return check(model, device, cpu, cache, batch, model.config().layers());
    }

    /** Runs {@code batch} on both through the first {@code layers} layers. */
    static int[] check(Llama model, DeviceForward device, ForwardState cpu, PagedKvCache cache,
                               List<SequenceChunk> batch, int layers) {
        Logits expected = Forward.step(model, cpu, cache, batch, layers);
        var step = device.step(batch, layers, true);
        int[] ids = step.tokens();
        float[] logits = step.logits().values();
        int vocabulary = model.config().vocabularySize();
        var greedy = new int[ids.length];
        var last = new int[batch.size()];
        int row = 0;
        for (int s = 0; s < batch.size(); s++) {
            for (int j = 0; j < expected.rows(s); j++, row++) {
                float[] want = expected.row(s, j);
                for (int v = 0; v < vocabulary; v++) {
                    assertEquals(want[v], logits[row * vocabulary + v], 1e-3f * Math.max(1f, Math.abs(want[v])),
                            "chunk " + s + ", row " + j + ", logit " + v);
                }
                greedy[row] = Sampler.argmax(want, 0, vocabulary);
                last[s] = greedy[row];
            }
        }
        assertArrayEquals(greedy, ids, "greedy tokens");
        return last;
    }

    /** A generator whose {@code nextDouble()}s are {@code values}, in order. */
    /** The middle of token {@code x}'s slice of the inverse CDF over {@code p} (ids in order): a draw there is x. */
    private static double inside(float[] p, int x) {
        double below = 0;
        for (int i = 0; i < x; i++) if (p[i] > 0) below += p[i];
        return below + p[x] / 2;
    }

    /** A uniform whose draw over {@code p} is not {@code x}. */
    private static double outside(float[] p, int x) {
        double below = 0;
        for (int i = 0; i < x; i++) if (p[i] > 0) below += p[i];
        return below > 0.01 ? below / 2 : Math.min(0.999, (below + p[x] + 1) / 2);
    }

    /** The tiny model's widths with {@code layers} layers, a context of {@code context} and a tied classifier or not. */
    static RandomLlama.Spec tinyShaped(WeightFormat format, int layers, int context, boolean tied) {
        var tiny = RandomLlama.Spec.tiny(format);
        return new RandomLlama.Spec(tiny.dim(), layers, tiny.heads(), tiny.kvHeads(), tiny.ffnDim(), context, format,
                tied, true);
    }

    static int[] tokens(int vocabulary, int n, int seed) {
        var random = new java.util.SplittableRandom(seed);
        var t = new int[n];
        for (int i = 0; i < n; i++) t[i] = random.nextInt(vocabulary);
        return t;
    }
}

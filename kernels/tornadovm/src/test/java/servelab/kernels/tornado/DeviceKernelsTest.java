package servelab.kernels.tornado;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.kernels.tornado.OnDevice.ctx;
import static servelab.kernels.tornado.OnDevice.floats;
import static servelab.kernels.tornado.OnDevice.ints;
import static servelab.kernels.tornado.OnDevice.random;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

import servelab.kernels.attention.KvAddress;
import servelab.kernels.attention.PagedKvCache;
import servelab.kernels.matmul.MatMul;
import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.ops.RmsNorm;
import servelab.kernels.ops.Rope;
import servelab.kernels.ops.RopeScaling;
import servelab.kernels.ops.SwiGlu;
import servelab.kernels.sample.Sampler;

/**
 * Each kernel of the device forward step against its Java reference, on TornadoVM's device (PoCL's CPU device in
 * the checks so far). Work-group kernels sum in a tree, so they match within float rounding; RoPE, the KV store, the
 * embedding gather and argmax match exactly or within an fma's rounding.
 */
class DeviceKernelsTest {
    private final SplittableRandom random = new SplittableRandom(7);

    private static void near(float[] expected, FloatArray actual, float tolerance, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), tolerance * Math.max(1f, Math.abs(expected[i])), what + " [" + i + "]");
        }
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void batchedMatmulMatchesTheReference(WeightFormat format) {
        int rows = 96, cols = 320, batch = 3;
        var w = MatMul.encode(format, random(random, rows * cols), rows, cols);
        var x = random(random, 4 * cols);    // room for 4 rows, 3 active: the fourth must stay untouched
        var expected = new float[batch * rows];
        MatMul.reference(w, x, batch, expected);
        var out = new FloatArray(4 * rows);
        var weights = new DeviceWeights();
        var in = floats(x);
        var counts = ints(batch, 0);
        OnDevice.run(new Object[] {weights.array(w), in, counts}, new Object[] {out}, rows,
                g -> weights.matmul(g, "t", ctx(), w, in, out, counts, 0));
        near(expected, out, 1e-4f, format + " out");
        assertEquals(0f, out.get(3 * rows + 5), "rows past counts[0] are not computed");
    }

    @ParameterizedTest
    @EnumSource(value = WeightFormat.class, names = {"F32", "F16", "Q8_0", "Q4_0"})
    void embeddingGatherEqualsTheDequantizedRows(WeightFormat format) {
        int vocab = 40, dim = 64;
        var table = MatMul.encode(format, random(random, vocab * dim), vocab, dim);
        int[] tokens = {3, 39, 0};
        var expected = new float[tokens.length * dim];
        for (int t = 0; t < tokens.length; t++) MatMul.row(table, tokens[t], expected, t * dim);
        var x = new FloatArray(4 * dim);
        var weights = new DeviceWeights();
        var ids = ints(3, 39, 0, 0);
        var counts = ints(3, 0);
        OnDevice.run(new Object[] {weights.array(table), ids, counts}, new Object[] {x}, 0,
                g -> weights.embed(g, "t", table, ids, x, counts, 4));
        near(expected, x, 0f, format + " embedding");
    }

    @Test
    void rmsNormOfMappedRowsMatchesTheReference() {
        int n = 200;
        var x = random(random, 3 * n);
        var weight = random(random, n);
        int[] rows = {2, 0};
        var expected = new float[2 * n];
        for (int g = 0; g < rows.length; g++) RmsNorm.reference(expected, g * n, x, rows[g] * n, weight, n, 1e-5f);
        var out = new FloatArray(3 * n);
        var in = floats(x);
        var w = floats(weight);
        var map = ints(2, 0, 1);
        var counts = ints(3, 2);
        OnDevice.run(new Object[] {in, w, map, counts}, new Object[] {out}, 3,
                g -> g.task("t", GroupKernels::rmsNorm, ctx(), out, in, w, map, counts, 1, n, 1e-5f));
        near(expected, out, 1e-5f, "rmsnorm");
    }

    @Test
    void ropeWithLlama3ScalingMatchesTheReference() {
        int heads = 4, headDim = 16, positions = 512;
        float[] freqs = Rope.frequencies(headDim, 500000, RopeScaling.llama32().divisors(headDim, 500000));
        int[] at = {0, 7, 300};
        var v = random(random, 3 * heads * headDim);
        var expected = v.clone();
        for (int t = 0; t < 3; t++) Rope.reference(expected, t * heads * headDim, heads, headDim, at[t], freqs);
        var tables = RopeTables.of(freqs, positions);
        var out = floats(v);
        var pos = ints(at);
        var counts = ints(3, 0);
        OnDevice.run(new Object[] {out, tables[0], tables[1], pos, counts}, new Object[] {out}, 0,
                g -> g.task("t", StepKernels::rope, out, tables[0], tables[1], pos, counts, 0, 3, heads, headDim));
        near(expected, out, 1e-6f, "rope");   // the same cos and sin; only an fma contraction may differ
    }

    @Test
    void kvStoreWritesWhereThePagedCacheWould() {
        int kvHeads = 2, headDim = 16, blockSize = 4, blocks = 6;
        var cache = new PagedKvCache(2, kvHeads, headDim, blockSize, blocks);
        int layerFloats = cache.keys(0).length;
        var k = random(random, 2 * kvHeads * headDim);
        var v = random(random, 2 * kvHeads * headDim);
        int[] positions = {5, 0};
        int[][] tables = {{3, 4}, {1}};
        for (int t = 0; t < 2; t++) {
            cache.store(1, new KvAddress.Blocks(tables[t]), positions[t], k, t * kvHeads * headDim, v, t * kvHeads * headDim);
        }
        var keys = new FloatArray(2 * layerFloats);
        var values = new FloatArray(2 * layerFloats);
        var ks = floats(k);
        var vs = floats(v);
        var pos = ints(positions);
        var rows = ints(0, 1);
        var blockTables = ints(3, 4, 1);   // both tables back to back
        var tableStarts = ints(0, 2);
        var counts = ints(2, 0);
        OnDevice.run(new Object[] {ks, vs, keys, values, pos, rows, blockTables, tableStarts, counts},
                new Object[] {keys, values}, 0,
                g -> g.task("t", StepKernels::storeKv, ks, vs, keys, values, pos, rows, blockTables, counts, 0, 2,
                        layerFloats, kvHeads, headDim, blockSize, tableStarts));
        for (int i = 0; i < layerFloats; i++) {
            assertEquals(cache.keys(1)[i], keys.get(layerFloats + i), "key " + i);
            assertEquals(cache.values(1)[i], values.get(layerFloats + i), "value " + i);
            assertEquals(0f, keys.get(i), "layer 0 untouched");
        }
    }

    @Test
    void swiGluAndResidualAddMatchTheReference() {
        int ffn = 96;
        var gate = random(random, 2 * ffn);
        var up = random(random, 2 * ffn);
        var expected = gate.clone();
        SwiGlu.reference(expected, up, 0, 2 * ffn);
        var g1 = floats(gate);
        var u1 = floats(up);
        var counts = ints(2, 0);
        OnDevice.run(new Object[] {g1, u1, counts}, new Object[] {g1}, 0,
                g -> g.task("t", StepKernels::swiGlu, g1, u1, counts, 0, 2, ffn));
        near(expected, g1, 1e-6f, "swiglu");

        var x = floats(gate);
        var delta = floats(up);
        OnDevice.run(new Object[] {x, delta, counts}, new Object[] {x}, 0,
                g -> g.task("t", StepKernels::add, x, delta, counts, 0, 2, ffn));
        for (int i = 0; i < 2 * ffn; i++) assertEquals(gate[i] + up[i], x.get(i), "x[" + i + "]");
    }

    @Test
    void argmaxTakesTheFirstOfEqualMaxima() {
        int vocab = 1000;
        var logits = random(random, 3 * vocab);
        logits[500] = 5f;
        logits[900] = 5f;                 // a tie in row 0: the lower id wins
        logits[2 * vocab - 1] = 3f;       // row 1: the last id
        logits[2 * vocab + 129] = 2f;     // row 2
        var ids = new IntArray(3);
        var in = floats(logits);
        var counts = ints(0, 3);
        OnDevice.run(new Object[] {in, counts}, new Object[] {ids}, 3,
                g -> g.task("t", GroupKernels::argmax, ctx(), in, ids, counts, vocab));
        for (int row = 0; row < 3; row++) {
            assertEquals(Sampler.argmax(logits, row * vocab, vocab), ids.get(row), "row " + row);
        }
        assertEquals(500, ids.get(0));
    }

    @Test
    void samplingDrawsWhatTheCpuSamplerDrawsWithTheSameRandomnessThroughEveryFilter() {
        int vocab = 1000;
        var params = new servelab.kernels.sample.SamplingParams[] {
                servelab.kernels.sample.SamplingParams.temperature(0.8f),
                servelab.kernels.sample.SamplingParams.temperature(1.5f),
                new servelab.kernels.sample.SamplingParams(0.8f, 5, 1f, 0f),
                new servelab.kernels.sample.SamplingParams(1.2f, 20, 0.8f, 0f),
                new servelab.kernels.sample.SamplingParams(1.0f, 64, 0.95f, 0f),
                new servelab.kernels.sample.SamplingParams(1.0f, 0, 1f, 0.1f),
                new servelab.kernels.sample.SamplingParams(0.7f, 10, 1f, 0.2f),
                new servelab.kernels.sample.SamplingParams(2.0f, 1, 1f, 0f),
                new servelab.kernels.sample.SamplingParams(0.8f, 0, 0.9f, 0f),     // top-p without a top-k
                new servelab.kernels.sample.SamplingParams(1.5f, 0, 0.5f, 0f),
                new servelab.kernels.sample.SamplingParams(0.3f, 0, 0.2f, 0f),     // the top token alone
                new servelab.kernels.sample.SamplingParams(1.0f, 0, 0.95f, 0.05f), // then min-p
                servelab.kernels.sample.SamplingParams.greedy()};   // the last row is not drawn: it keeps its id
        var logits = new float[params.length * 2 * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) random.nextDouble(-4, 4);
        assertDrawsAsTheCpuSampler(params, logits, vocab);
    }

    @Test
    void topPWithoutTopKTakesTiesAtTheNucleusEdgeInIdOrderAsTheCpuDoes() {
        int vocab = 1000;
        var params = new servelab.kernels.sample.SamplingParams[] {
                new servelab.kernels.sample.SamplingParams(0.8f, 0, 0.9f, 0f),
                new servelab.kernels.sample.SamplingParams(1.5f, 0, 0.5f, 0f),
                new servelab.kernels.sample.SamplingParams(0.5f, 0, 0.3f, 0f),
                new servelab.kernels.sample.SamplingParams(1.0f, 0, 0.7f, 0.2f)};
        var logits = new float[params.length * 2 * vocab];
        // nine distinct values: ties everywhere, also at the nucleus's edge
        for (int i = 0; i < logits.length; i++) logits[i] = Math.round(random.nextDouble(-4, 4)) * 0.5f;
        assertDrawsAsTheCpuSampler(params, logits, vocab);
    }

    @Test
    void anInfiniteLogitIsDrawnAsOnTheCpuTheFirstOfThem() {
        // exp(inf - inf) made the row's mass NaN on the device, where the CPU takes the first infinite logit
        int vocab = 1000;
        var params = new servelab.kernels.sample.SamplingParams[] {
                servelab.kernels.sample.SamplingParams.temperature(0.8f),
                new servelab.kernels.sample.SamplingParams(1.0f, 0, 0.9f, 0f),
                new servelab.kernels.sample.SamplingParams(1.2f, 20, 0.8f, 0f)};
        var logits = new float[params.length * 2 * vocab];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) random.nextDouble(-4, 4);
        for (int row = 0; row < params.length * 2; row++) {
            logits[row * vocab + 100 + 37 * row] = Float.POSITIVE_INFINITY;
            logits[row * vocab + 700] = Float.POSITIVE_INFINITY;
        }
        assertDrawsAsTheCpuSampler(params, logits, vocab);
    }

    @Test
    void topPWithoutTopKIsTopPOfTheWholeRowsMassAsOnTheCpu() {
        // 0.45, 0.30, and 998 tokens sharing 0.25, each below the CPU sort's cutoff (0.5 / 999): top-p 0.5 was taken of
        // the sorted tokens' mass (0.75), so 0.45 alone reached it and every draw was token 0; now {0, 1}, 40% token 1
        int vocab = 1000;
        var params = new servelab.kernels.sample.SamplingParams[8];
        java.util.Arrays.fill(params, new servelab.kernels.sample.SamplingParams(1f, 0, 0.5f, 0f));
        var logits = new float[params.length * 2 * vocab];
        for (int row = 0; row < params.length * 2; row++) {
            logits[row * vocab] = (float) Math.log(0.45);
            logits[row * vocab + 1] = (float) Math.log(0.30);
            for (int i = 2; i < vocab; i++) logits[row * vocab + i] = (float) Math.log(0.25 / (vocab - 2));
        }
        assertDrawsAsTheCpuSampler(params, logits, vocab);
        int ones = 0;
        for (int row = 0; row < params.length * 2; row++) {
            ones += servelab.kernels.sample.SeededSampler.of(params[0], 1000 + row).sample(logits, row * vocab, vocab);
        }
        assertTrue(ones > 0, "token 1 is in the nucleus"); // all sixteen draws token 0: 0.6^16, 0.03%
    }

    /**
     * Draws each row of {@code logits} (two rows per entry of {@code params}, in turn) on the device with the first
     * {@code nextDouble()} of the CPU sampler's per-token generator, and checks that every row gets the id
     * {@link servelab.kernels.sample.SeededSampler} samples with that seed (a greedy row keeps the id it had).
     */
    private static void assertDrawsAsTheCpuSampler(servelab.kernels.sample.SamplingParams[] params, float[] logits,
                                                   int vocab) {
        int rows = logits.length / vocab;
        var uniforms = new float[rows];
        var rowParams = new float[rows * SamplingKernels.ROW_PARAMS];
        var expected = new int[rows];
        for (int row = 0; row < rows; row++) {
            var p = params[row % params.length];
            long seed = 1000 + row;   // the CPU sampler's per-token seed; the device gets its first nextDouble()
            uniforms[row] = (float) new SplittableRandom(seed).nextDouble();
            int at = row * SamplingKernels.ROW_PARAMS;
            rowParams[at] = p.isGreedy() ? 0f : 1f / p.temperature();
            rowParams[at + 1] = p.topK();
            rowParams[at + 2] = p.topP();
            rowParams[at + 3] = p.minP();
            expected[row] = p.isGreedy() ? 4242
                    : servelab.kernels.sample.SeededSampler.of(p, seed).sample(logits, row * vocab, vocab);
        }
        var ids = new IntArray(rows);
        for (int row = 0; row < rows; row++) ids.set(row, 4242);
        var in = floats(logits);
        var u = floats(uniforms);
        var t = floats(rowParams);
        var counts = ints(0, rows);
        OnDevice.run(new Object[] {in, u, t, ids, counts}, new Object[] {ids}, rows,
                g -> g.task("t", SamplingKernels::sample, ctx(), in, u, t, ids, counts, vocab));
        for (int row = 0; row < rows; row++) {
            assertEquals(expected[row], ids.get(row), "row " + row + ", " + params[row % params.length] + ", u "
                    + uniforms[row]);
        }
    }
}

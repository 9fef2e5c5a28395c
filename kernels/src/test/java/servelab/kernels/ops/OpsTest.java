package servelab.kernels.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import jdk.incubator.vector.FloatVector;
import servelab.kernels.FloatBounds;
import servelab.kernels.Vectors;

class OpsTest {
    private static final double U = 0x1p-24;
    /** {@link Vectors#exp}'s measured worst case is about 1.2 ulp (7.2e-8 relative); the tests allow 4 ulp (8u relative). */
    private static final double EXP_RELATIVE = 8 * U;
    /** Sizes hitting a vector body only, a body and a tail, and a tail only. */
    private static final int[] SIZES = {64, 67, 5};

    private static float[] values(int n, long seed, double scale) {
        var random = new SplittableRandom(seed);
        var v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (random.nextGaussian() * scale);
        }
        return v;
    }

    @Test
    void fourSumsAtOnceHaveTheBitsOfFourSingleSums() {
        // values of mixed magnitudes, so that a different order of additions would show in the low bits
        var random = new SplittableRandom(4);
        var v = new float[4 * Vectors.L];
        for (int trial = 0; trial < 1000; trial++) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
            }
            var vectors = new FloatVector[4];
            var expected = new float[7];
            for (int k = 0; k < 4; k++) {
                vectors[k] = FloatVector.fromArray(Vectors.F, v, k * Vectors.L);
                expected[2 * k] = Vectors.sum(vectors[k]);
            }
            var out = new float[7];
            Vectors.sum4(vectors[0], vectors[1], vectors[2], vectors[3], out, 0, 2);
            for (int k = 0; k < 4; k++) {
                assertEquals(Float.floatToRawIntBits(expected[2 * k]), Float.floatToRawIntBits(out[2 * k]),
                        "sum " + k + " of trial " + trial + " with " + Vectors.L + " lanes");
            }
            assertEquals(0f, out[1] + out[3] + out[5], "only every stride-th slot is written");
        }
    }

    @Test
    void aSumThroughAnArrayHasTheBitsOfTheVectorSum() {
        var random = new SplittableRandom(5);
        var v = new float[3 + Vectors.L];
        for (int trial = 0; trial < 1000; trial++) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4)));
            }
            float expected = Vectors.sum(FloatVector.fromArray(Vectors.F, v, 3));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(Vectors.sum(v, 3)),
                    "trial " + trial + " with " + Vectors.L + " lanes");
        }
    }

    @Test
    void vectorExpIsWithinFourUlpOfMathExp() {
        var x = new float[Vectors.L];
        double worst = 0;
        for (float start = -87f; start < 88f; start += 0.001f * Vectors.L) {
            for (int lane = 0; lane < Vectors.L; lane++) {
                x[lane] = start + 0.001f * lane;
            }
            var e = Vectors.exp(FloatVector.fromArray(Vectors.F, x, 0));
            for (int lane = 0; lane < Vectors.L && x[lane] <= Vectors.EXP_MAX; lane++) {
                double exact = Math.exp(x[lane]);
                worst = Math.max(worst, Math.abs(e.lane(lane) - exact) / exact);
            }
        }
        assertTrue(worst <= EXP_RELATIVE, "worst relative error " + worst);
        // below EXP_MIN e^x is not a normal float, and exp gives 0; far above it stops at e^88 rather than overflow
        assertEquals(0f, Vectors.exp(FloatVector.broadcast(Vectors.F, -100f)).lane(0));
        assertEquals((float) Math.exp(88), Vectors.exp(FloatVector.broadcast(Vectors.F, 1000f)).lane(0), Math.ulp((float) Math.exp(88)) * 4);
    }

    @Test
    void rmsNormVectorMatchesReference() {
        for (int n : SIZES) {
            var x = values(n, 1, 3);
            var weight = values(n, 2, 1);
            var reference = new float[n];
            var vector = new float[n];
            RmsNorm.reference(reference, 0, x, 0, weight, n, 1e-5f);
            RmsNorm.vector(vector, 0, x, 0, weight, n, 1e-5f);
            // the sums of squares differ by at most sumOrder(n); the scale adds a relative gamma(n + 4) (mean, eps, sqrt,
            // reciprocal), and the two multiplies are done the same way
            for (int i = 0; i < n; i++) {
                double bound = 2 * FloatBounds.gamma(n + 4) * Math.abs(reference[i]);
                assertEquals(reference[i], vector[i], bound, "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void softmaxVectorMatchesReference() {
        for (int n : SIZES) {
            var reference = values(n, 3, 4);
            var vector = reference.clone();
            Softmax.reference(reference, 0, n);
            Softmax.vector(vector, 0, n);
            // each exponential errs by EXP_RELATIVE, their sum by a further sumOrder, the division by u
            for (int i = 0; i < n; i++) {
                double bound = (2 * EXP_RELATIVE + 2 * FloatBounds.gamma(n) + 2 * U) * reference[i];
                assertEquals(reference[i], vector[i], bound, "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void softmaxOfEqualValuesIsUniform() {
        var x = new float[] {2, 2, 2, 2};
        Softmax.vector(x, 0, 4);
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, x);
    }

    @Test
    void swiGluVectorMatchesReference() {
        for (int n : SIZES) {
            var reference = values(n, 4, 3);
            var vector = reference.clone();
            var up = values(n, 5, 1);
            SwiGlu.reference(reference, up, 0, n);
            SwiGlu.vector(vector, up, 0, n);
            // 1 + e^-g errs by EXP_RELATIVE (relative, and no worse after adding a positive 1), then divide and multiply
            for (int i = 0; i < n; i++) {
                double bound = (EXP_RELATIVE + 4 * U) * Math.abs(reference[i]);
                assertEquals(reference[i], vector[i], bound, "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void swiGluGivesAnElementTheSameBitsWhereverItFallsInABatch() {
        // a batched step calls it over all its rows at once; an element that fell in the scalar tail there but in a
        // vector alone (or the other way) had other bits, so a batched step was not the per-sequence steps
        int ffn = 37; // no vector width divides it
        var first = values(ffn, 7, 3);
        var second = values(ffn, 8, 3);
        var up = values(2 * ffn, 9, 1);
        var batch = new float[2 * ffn];
        System.arraycopy(first, 0, batch, 0, ffn);
        System.arraycopy(second, 0, batch, ffn, ffn);
        SwiGlu.vector(batch, up, 0, 2 * ffn);
        SwiGlu.vector(first, java.util.Arrays.copyOfRange(up, 0, ffn), 0, ffn);
        SwiGlu.vector(second, java.util.Arrays.copyOfRange(up, ffn, 2 * ffn), 0, ffn);
        assertArrayEquals(first, java.util.Arrays.copyOfRange(batch, 0, ffn));
        assertArrayEquals(second, java.util.Arrays.copyOfRange(batch, ffn, 2 * ffn));
    }

    @Test
    void swiGluOfAVeryNegativeGateIsZero() {
        // e^-g past float's range was clamped to e^88, so silu(-3e38) came out as -1.8 where it is -0
        float[] values = {-3e38f, -1e30f, -1000f, -100f, -89f};
        var gate = new float[64]; // whole vectors, not only a tail
        for (int i = 0; i < gate.length; i++) gate[i] = values[i % values.length];
        var up = new float[gate.length];
        java.util.Arrays.fill(up, 1f);
        var reference = gate.clone();
        SwiGlu.reference(reference, up, 0, gate.length);
        SwiGlu.vector(gate, up, 0, gate.length);
        for (int i = 0; i < gate.length; i++) assertEquals(reference[i], gate[i], 1e-30f, "i=" + i);
    }

    @Test
    void ropeVectorEqualsReferenceExactly() {
        var freqs = Rope.frequencies(64, 500000, RopeScaling.llama32().divisors(64, 500000));
        var reference = values(4 * 64, 6, 1);
        var vector = reference.clone();
        Rope.reference(reference, 0, 4, 64, 1234, freqs);
        Rope.vector(vector, 0, 4, 64, 1234, freqs);
        // both round x0*cos and x1*sin once each and then add: the same operations in the same order
        assertArrayEquals(reference, vector);
    }

    @Test
    void ropeRotatesAdjacentPairsByPositionTimesFrequency() {
        // head dim 4, theta 100: frequencies 1 and 100^(-1/2) = 0.1
        var freqs = Rope.frequencies(4, 100);
        var v = new float[] {1, 0, 0, 1};
        Rope.reference(v, 0, 1, 4, 3, freqs);
        assertEquals(Math.cos(3), v[0], 1e-6);
        assertEquals(Math.sin(3), v[1], 1e-6);
        assertEquals(-Math.sin(0.3), v[2], 1e-6);
        assertEquals(Math.cos(0.3), v[3], 1e-6);
    }

    @Test
    void llama3ScalingKeepsHighDividesLowAndInterpolatesBetween() {
        var scaling = new RopeScaling(8, 1, 4, 8192);
        // wavelength 2pi/freq below 8192/4 = 2048: kept
        assertEquals(1, scaling.divisor(2 * Math.PI / 2000));
        // wavelength above 8192/1: divided by the factor
        assertEquals(8, scaling.divisor(2 * Math.PI / 9000));
        // 8192 / wavelength = 2.5: smooth = (2.5 - 1) / (4 - 1) = 0.5, new freq = (0.5/8 + 0.5) freq, divisor 16/9
        assertEquals(16.0 / 9, scaling.divisor(2 * Math.PI * 2.5 / 8192), 1e-12);
        var divisors = scaling.divisors(128, 500000);
        assertEquals(1f, divisors[0]);
        assertEquals(8f, divisors[63]);
        for (int i = 1; i < divisors.length; i++) {
            assertTrue(divisors[i] >= divisors[i - 1], "divisors rise with wavelength");
        }
    }
}

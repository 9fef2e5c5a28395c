package servelab.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float vector shape every kernel uses, and two lane operations whose results do not depend on whether the JIT
 * has compiled the caller yet: {@link #sum} (a fixed-order lane sum) and {@link #exp} (a polynomial exponential).
 *
 * <p>Why: {@code reduceLanes(ADD)} leaves the summation order open, and the Vector API's {@code EXP} uses a native
 * math library once compiled but Java code before; both really give different bits in the interpreter and in C2.
 * A kernel built from lane-wise add, multiply, fma, shuffles and bit operations gives the same bits in every tier,
 * so a forward pass repeated in one JVM gives the same logits.
 */
public final class Vectors {
    /** The widest float shape the CPU prefers, capped at 16 lanes (the Q8_0 and Q4_0 kernels widen 16 bytes). */
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.length() > 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    /** Lanes of {@link #F}: 16 with AVX-512, 8 with AVX2. */
    public static final int L = F.length();

    /*
     * The butterfly's shuffles, lane i to lane i ^ k, as constants, and each fold as a method of its own, so that sum
     * and max stay under C2's inlining size for call sites it deems cold (MaxInlineSize, 35 bytes of bytecode). A
     * kernel calls them once per output after its hot loop; when they were one loop over an array of shuffles
     * (42 bytes) they were not inlined there, so every call boxed its vector, the shuffles were not constants, and
     * the lane operations ran the Vector API's allocating Java fallback: a decode step allocated gigabytes per
     * second in Q8_0's dots (JFR). A fold a wider shape does not have is the identity, folded away by the JIT.
     */
    private static final VectorShuffle<Float> S8 = L > 8 ? VectorShuffle.fromOp(F, i -> i ^ 8) : null;
    private static final VectorShuffle<Float> S4 = L > 4 ? VectorShuffle.fromOp(F, i -> i ^ 4) : null;
    private static final VectorShuffle<Float> S2 = L > 2 ? VectorShuffle.fromOp(F, i -> i ^ 2) : null;
    private static final VectorShuffle<Float> S1 = VectorShuffle.fromOp(F, i -> i ^ 1);

    private Vectors() {}

    /** Sum of the lanes in a fixed tree order: lanes {@code i} and {@code i ^ k} added for k = L/2 down to 1. */
    public static float sum(FloatVector v) {
        return add1(add2(add4(add8(v)))).lane(0);
    }

    /** Folds by L/2 and L/4 (the first two of {@link #sum}), and the lanes of the upper half and of odd quarters. */
    private static final VectorShuffle<Float> HALF = VectorShuffle.fromOp(F, i -> i ^ (L / 2));
    private static final VectorShuffle<Float> QUARTER = VectorShuffle.fromOp(F, i -> i ^ (L / 4));
    private static final VectorMask<Float> UPPER_HALF = VectorMask.fromLong(F, ((1L << L) - 1) & -(1L << (L / 2)));
    private static final VectorMask<Float> ODD_QUARTERS = VectorMask.fromLong(F, L == 16 ? 0xF0F0L : L == 8 ? 0xCCL : 0xAL);

    /**
     * {@link #sum} of four vectors at once, into {@code out[off]}, {@code out[off + stride]}, {@code out[off + 2 *
     * stride]} and {@code out[off + 3 * stride]}, with the bits of four {@link #sum} calls. After {@link #sum}'s first
     * fold both halves of a vector hold the same values (lanes i and i ^ L/2 add the same two numbers), so the halves
     * of two vectors are packed into one and folded on together; after the second fold quarters are packed the same
     * way. Each total is made of exactly {@link #sum}'s additions, in fewer vector operations. Kernels that end with
     * four sums call this instead: after their hot loop C2 has sometimes spent its inlining budget, and a call it does
     * not inline boxes its vector argument and runs the Vector API's allocating fallback.
     */
    public static void sum4(FloatVector a, FloatVector b, FloatVector c, FloatVector d, float[] out, int off, int stride) {
        var ab = a.add(a.rearrange(HALF)).blend(b.add(b.rearrange(HALF)), UPPER_HALF);
        var cd = c.add(c.rearrange(HALF)).blend(d.add(d.rearrange(HALF)), UPPER_HALF);
        var s = ab.add(ab.rearrange(QUARTER)).blend(cd.add(cd.rearrange(QUARTER)), ODD_QUARTERS);
        if (L > 8) {
            s = s.add(s.rearrange(S2));
        }
        if (L > 4) {
            s = s.add(s.rearrange(S1));
        }
        out[off] = s.lane(0);
        out[off + stride] = s.lane(L / 2);
        out[off + 2 * stride] = s.lane(L / 4);
        out[off + 3 * stride] = s.lane(3 * L / 4);
    }

    /**
     * {@link #sum} of the {@link #L} floats at {@code lanes[off..]}, with the same additions in the same order (lane i
     * of a fold is lanes i and i + k of the one before, for k = L/2 down to 1), so the bits equal those of
     * {@code sum(FloatVector.fromArray(F, lanes, off))}. Overwrites those floats. For kernels after a long hot loop:
     * C2 unrolls such a loop by its profiled trip count and may then not inline a call after it, and a call that is
     * not inlined boxes its vector argument (in the two-row Q8_0 kernel with 8192-column rows: 256 bytes of garbage
     * per row); {@code intoArray} then this call take no vector argument, so nothing is boxed whatever is inlined.
     */
    public static float sum(float[] lanes, int off) {
        for (int k = L / 2; k >= 1; k >>= 1) {
            for (int i = 0; i < k; i++) lanes[off + i] += lanes[off + i + k];
        }
        return lanes[off];
    }

    private static FloatVector add8(FloatVector v) { return L > 8 ? v.add(v.rearrange(S8)) : v; }
    private static FloatVector add4(FloatVector v) { return L > 4 ? v.add(v.rearrange(S4)) : v; }
    private static FloatVector add2(FloatVector v) { return L > 2 ? v.add(v.rearrange(S2)) : v; }
    private static FloatVector add1(FloatVector v) { return v.add(v.rearrange(S1)); }

    /** Largest lane, in a fixed tree order (max is exact, so only for symmetry with {@link #sum}). */
    public static float max(FloatVector v) {
        return max1(max2(max4(max8(v)))).lane(0);
    }

    private static FloatVector max8(FloatVector v) { return L > 8 ? v.max(v.rearrange(S8)) : v; }
    private static FloatVector max4(FloatVector v) { return L > 4 ? v.max(v.rearrange(S4)) : v; }
    private static FloatVector max2(FloatVector v) { return L > 2 ? v.max(v.rearrange(S2)) : v; }
    private static FloatVector max1(FloatVector v) { return v.max(v.rearrange(S1)); }

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that {@code k * LN2_HI} is exact for the |k| <= 128 that occur (LN2_HI has 16 significant bits). */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860682030941723212e-6f;
    /** Adding 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer (nearest, ties to even). */
    private static final float ROUNDER = 0x1.8p23f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** Below this e^x is under the smallest normal float, and {@link #exp} returns 0. */
    public static final float EXP_MIN = -87.33654f;
    /** Above this {@link #exp} returns e^88 rather than overflow. */
    public static final float EXP_MAX = 88f;

    /**
     * e^x per lane, within a few ulp of {@link Math#exp} for x in [{@link #EXP_MIN}, {@link #EXP_MAX}]; 0 below and
     * e^88 above. Range reduction {@code x = k ln2 + r} with {@code |r| <= ln2/2} and integer {@code k}, then a
     * degree-7 Taylor polynomial of e^r (truncation error below 2^-27 relative), then a multiply by 2^k whose bits are
     * built directly. Only lane-wise add, multiply, fma, compare and bit operations, so tier-independent.
     */
    public static FloatVector exp(FloatVector x) {
        var clamped = x.max(EXP_MIN).min(EXP_MAX);
        var shifted = clamped.mul(LOG2E).add(ROUNDER);
        var k = shifted.sub(ROUNDER);
        var kBits = shifted.reinterpretAsInts().sub(ROUNDER_BITS);
        var r = k.fma(FloatVector.broadcast(F, -LN2_HI), clamped);
        r = k.fma(FloatVector.broadcast(F, -LN2_LO), r);
        var p = r.fma(1f / 5040, 1f / 720);
        p = p.fma(r, FloatVector.broadcast(F, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(F, 0.5f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        p = p.fma(r, FloatVector.broadcast(F, 1f));
        var twoToK = kBits.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        var result = p.mul(twoToK);
        return result.blend(0f, x.compare(VectorOperators.LT, EXP_MIN));
    }
}

package servelab.kernels.matmul;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import servelab.kernels.Vectors;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector shapes and little-endian layouts shared by the weight formats. */
final class Lanes {
    static final VectorSpecies<Float> F = Vectors.F;
    static final int L = Vectors.L;
    /** Int and short shapes with as many lanes as {@link #F}, for widening 16-bit weights. */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    /** Sixteen bytes: half a Q8_0 block, or a whole Q4_0 block's nibbles. */
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;

    /**
     * Eight float lanes for the block formats. Measured on the development machine (Xeon, AVX-512, loaded), a Q8_0 dot
     * widening eight bytes at a time into 256-bit floats ran 1.4x faster than the same kernel on 512-bit vectors:
     * widening bytes to 32-bit lanes, not memory, bounds these kernels, and the narrower shape spreads over more ports.
     */
    static final VectorSpecies<Float> Q = Vectors.F8;
    /** Eight bytes: a quarter of a Q8_0 block. */
    static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;

    /**
     * Every binary16 value widened, indexed by its bits: a block scale costs one table load instead of a conversion
     * on the vector ports the kernel needs for widening weights (256 KiB, stays in L2). Same values as
     * {@link Float#float16ToFloat}.
     */
    static final float[] HALF = halfTable();

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private Lanes() {}

    private static float[] halfTable() {
        var table = new float[1 << 16];
        for (int h = 0; h < table.length; h++) {
            table[h] = Float.float16ToFloat((short) h);
        }
        return table;
    }
}

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
    /** How many float vectors sixteen widened bytes fill. */
    static final int PARTS_PER_16 = 16 / L;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private Lanes() {}
}

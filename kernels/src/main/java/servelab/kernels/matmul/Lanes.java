package servelab.kernels.matmul;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import servelab.kernels.Vectors;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector shapes and little-endian layouts shared by the weight formats. */
final class Lanes {
    static final VectorSpecies<Float> F = Vectors.F;
    static final int L = Vectors.L;
    /** Int and short shapes with as many lanes as {@link #F}, for widening 16-bit weights. */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    /** At least {@link #L} bytes (64 bits at the least): one part of a block, widened lane for lane into {@link #F}. */
    static final VectorSpecies<Byte> BL = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /** The first {@link #L} lanes of {@link #BL} (all of them unless L is 4). */
    static final VectorMask<Byte> FIRST_L = BL.indexInRange(0, L);
    /** How many float vectors sixteen widened bytes fill. */
    static final int PARTS_PER_16 = 16 / L;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private Lanes() {}
}

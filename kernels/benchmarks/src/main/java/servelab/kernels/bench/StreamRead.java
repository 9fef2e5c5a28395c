package servelab.kernels.bench;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import jdk.incubator.vector.FloatVector;
import servelab.kernels.Parallel;
import servelab.kernels.Vectors;

/**
 * The machine's read bandwidth as a kernel sees it: sums every float of a segment with the Vector API (four
 * independent accumulators, so the adds never wait on each other), split over the same pool the matmul uses. It
 * reads exactly the bytes and does almost no arithmetic, so its GB/s is the ceiling a bandwidth-bound kernel can
 * reach on this machine, in this JVM, at this moment.
 */
final class StreamRead {
    private static final int STEP = 4 * Vectors.L * Float.BYTES;

    private StreamRead() {}

    /** Pieces the buffer is cut into, which the pool's threads take in turn (as the matmul's rows are). */
    private static final int PIECES = 64;

    static float sum(MemorySegment data, Parallel parallel) {
        long pieceBytes = data.byteSize() / PIECES / STEP * STEP;
        var partial = new float[PIECES];
        parallel.forRange(PIECES, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                partial[p] = sum(data, p * pieceBytes, p == PIECES - 1 ? data.byteSize() : (p + 1) * pieceBytes);
            }
        });
        float total = 0;
        for (float p : partial) {
            total += p;
        }
        return total;
    }

    private static float sum(MemorySegment data, long from, long to) {
        var a0 = FloatVector.zero(Vectors.F);
        var a1 = a0;
        var a2 = a0;
        var a3 = a0;
        int vectorBytes = Vectors.L * Float.BYTES;
        // an int-counted loop over each slice (C2 removes bounds checks from int loops more reliably than long ones)
        long at = from;
        while (to - at >= STEP) {
            var slice = data.asSlice(at, Math.min(to - at, 1L << 30) / STEP * STEP);
            int bytes = (int) slice.byteSize();
            for (int i = 0; i < bytes; i += STEP) {
                a0 = a0.add(FloatVector.fromMemorySegment(Vectors.F, slice, i, ByteOrder.LITTLE_ENDIAN));
                a1 = a1.add(FloatVector.fromMemorySegment(Vectors.F, slice, i + vectorBytes, ByteOrder.LITTLE_ENDIAN));
                a2 = a2.add(FloatVector.fromMemorySegment(Vectors.F, slice, i + 2 * vectorBytes, ByteOrder.LITTLE_ENDIAN));
                a3 = a3.add(FloatVector.fromMemorySegment(Vectors.F, slice, i + 3 * vectorBytes, ByteOrder.LITTLE_ENDIAN));
            }
            at += bytes;
        }
        float sum = Vectors.sum(a0.add(a1).add(a2.add(a3)));
        for (; at + Float.BYTES <= to; at += Float.BYTES) {
            sum += data.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at);
        }
        return sum;
    }
}

package servelab.kernels.matmul;

import static servelab.kernels.matmul.PackedPanels.F512;
import static servelab.kernels.matmul.PackedPanels.ROWS;

import jdk.incubator.vector.FloatVector;

/**
 * {@link PackedHalves}'s kernels for batches 3 to {@value PackedPanels#FEW} on AVX-512 ({@link PackedPanels#fewWide},
 * {@link PackedPanels#fourWide}): the weights widened in registers as they stream and met by every input,
 * no slab stored. Each output is the same fma chain as the tile's, bit for bit. Written out on purpose: a helper that
 * takes or returns vectors is not always inlined by C2, and then every vector becomes a heap object.
 */
final class PackedHalvesFew {
    private PackedHalvesFew() {}

    /**
     * Batches 3 to {@value PackedPanels#FEW} in 512-bit vectors: two panels by eight inputs (sixteen chains), each
     * widened column used for every input, so no slab is stored; inputs past the batch repeat the last and are not
     * stored.
     */
    static void eight(PackedHalves m, float[] x, int batch, float[] out, int from, int to) {
        int cols = m.source.cols();
        int rows = m.source.rows();
        var lanes = PackedPanels.SCRATCH.get().lanes;
        int x0 = Math.min(0, batch - 1) * cols;
        int x1 = Math.min(1, batch - 1) * cols;
        int x2 = Math.min(2, batch - 1) * cols;
        int x3 = Math.min(3, batch - 1) * cols;
        int x4 = Math.min(4, batch - 1) * cols;
        int x5 = Math.min(5, batch - 1) * cols;
        int x6 = Math.min(6, batch - 1) * cols;
        int x7 = Math.min(7, batch - 1) * cols;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a0 = FloatVector.zero(F512); // panel p (a) and p + 1 (b), inputs 0 to 7
            var a1 = a0;
            var a2 = a0;
            var a3 = a0;
            var a4 = a0;
            var a5 = a0;
            var a6 = a0;
            var a7 = a0;
            var b0 = a0;
            var b1 = a0;
            var b2 = a0;
            var b3 = a0;
            var b4 = a0;
            var b5 = a0;
            var b6 = a0;
            var b7 = a0;
            long oa = m.offset(p, 0);
            long ob = pair ? m.offset(p + 1, 0) : oa;
            for (int k = 0; k < cols; k++) {
                var wa = m.widen16(oa + 32L * k);
                var wb = m.widen16(ob + 32L * k);
                var xv = FloatVector.broadcast(F512, x[x0 + k]);
                a0 = wa.fma(xv, a0);
                b0 = wb.fma(xv, b0);
                xv = FloatVector.broadcast(F512, x[x1 + k]);
                a1 = wa.fma(xv, a1);
                b1 = wb.fma(xv, b1);
                xv = FloatVector.broadcast(F512, x[x2 + k]);
                a2 = wa.fma(xv, a2);
                b2 = wb.fma(xv, b2);
                xv = FloatVector.broadcast(F512, x[x3 + k]);
                a3 = wa.fma(xv, a3);
                b3 = wb.fma(xv, b3);
                xv = FloatVector.broadcast(F512, x[x4 + k]);
                a4 = wa.fma(xv, a4);
                b4 = wb.fma(xv, b4);
                xv = FloatVector.broadcast(F512, x[x5 + k]);
                a5 = wa.fma(xv, a5);
                b5 = wb.fma(xv, b5);
                xv = FloatVector.broadcast(F512, x[x6 + k]);
                a6 = wa.fma(xv, a6);
                b6 = wb.fma(xv, b6);
                xv = FloatVector.broadcast(F512, x[x7 + k]);
                a7 = wa.fma(xv, a7);
                b7 = wb.fma(xv, b7);
            }
            a0.intoArray(lanes, 0);
            b0.intoArray(lanes, 16);
            a1.intoArray(lanes, 32);
            b1.intoArray(lanes, 48);
            a2.intoArray(lanes, 64);
            b2.intoArray(lanes, 80);
            a3.intoArray(lanes, 96);
            b3.intoArray(lanes, 112);
            a4.intoArray(lanes, 128);
            b4.intoArray(lanes, 144);
            a5.intoArray(lanes, 160);
            b5.intoArray(lanes, 176);
            a6.intoArray(lanes, 192);
            b6.intoArray(lanes, 208);
            a7.intoArray(lanes, 224);
            b7.intoArray(lanes, 240);
            for (int t = 0; t < batch; t++) {
                m.store(lanes, 32 * t, pair ? 2 * ROWS : ROWS, out, t * rows, p * ROWS);
            }
        }
    }

    /** {@link #eight} for batches 3 and 4: two panels by four inputs, eight chains. */
    static void four(PackedHalves m, float[] x, int batch, float[] out, int from, int to) {
        int cols = m.source.cols();
        int rows = m.source.rows();
        var lanes = PackedPanels.SCRATCH.get().lanes;
        int x0 = Math.min(0, batch - 1) * cols;
        int x1 = Math.min(1, batch - 1) * cols;
        int x2 = Math.min(2, batch - 1) * cols;
        int x3 = Math.min(3, batch - 1) * cols;
        for (int p = from; p < to; p += 2) {
            boolean pair = p + 1 < to;
            var a0 = FloatVector.zero(F512); // panel p (a) and p + 1 (b), inputs 0 to 3
            var a1 = a0;
            var a2 = a0;
            var a3 = a0;
            var b0 = a0;
            var b1 = a0;
            var b2 = a0;
            var b3 = a0;
            long oa = m.offset(p, 0);
            long ob = pair ? m.offset(p + 1, 0) : oa;
            for (int k = 0; k < cols; k++) {
                var wa = m.widen16(oa + 32L * k);
                var wb = m.widen16(ob + 32L * k);
                var xv = FloatVector.broadcast(F512, x[x0 + k]);
                a0 = wa.fma(xv, a0);
                b0 = wb.fma(xv, b0);
                xv = FloatVector.broadcast(F512, x[x1 + k]);
                a1 = wa.fma(xv, a1);
                b1 = wb.fma(xv, b1);
                xv = FloatVector.broadcast(F512, x[x2 + k]);
                a2 = wa.fma(xv, a2);
                b2 = wb.fma(xv, b2);
                xv = FloatVector.broadcast(F512, x[x3 + k]);
                a3 = wa.fma(xv, a3);
                b3 = wb.fma(xv, b3);
            }
            a0.intoArray(lanes, 0);
            b0.intoArray(lanes, 16);
            a1.intoArray(lanes, 32);
            b1.intoArray(lanes, 48);
            a2.intoArray(lanes, 64);
            b2.intoArray(lanes, 80);
            a3.intoArray(lanes, 96);
            b3.intoArray(lanes, 112);
            for (int t = 0; t < batch; t++) {
                m.store(lanes, 32 * t, pair ? 2 * ROWS : ROWS, out, t * rows, p * ROWS);
            }
        }
    }
}

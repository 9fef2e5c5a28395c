package servelab.kernels.tornado;

import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import servelab.kernels.model.Llama;

/**
 * Cosines and sines of every RoPE angle {@code position * freq[i]} for positions {@code 0..positions-1}, computed
 * on the host in double precision as {@link servelab.kernels.ops.Rope#reference} does, so the device rotation uses
 * the reference's exact factors. {@code positions * headDim / 2} floats each.
 */
final class RopeTables {
    private RopeTables() {}

    static FloatArray[] of(Llama model, int positions) {
        return of(model.weights().ropeFrequencies(), positions);
    }

    /** Tables for the {@code headDim / 2} frequencies {@code freqs}. */
    static FloatArray[] of(float[] freqs, int positions) {
        int half = freqs.length;
        var cos = new FloatArray(positions * half);
        var sin = new FloatArray(positions * half);
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                double angle = (double) p * freqs[i];
                cos.set(p * half + i, (float) Math.cos(angle));
                sin.set(p * half + i, (float) Math.sin(angle));
            }
        }
        return new FloatArray[] {cos, sin};
    }

}

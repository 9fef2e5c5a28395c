package servelab.kernels.ops;

/**
 * Llama 3.1's rotary frequency scaling for long contexts. Frequencies whose wavelength is shorter than
 * {@code originalContext / highFreqFactor} are kept, those longer than {@code originalContext / lowFreqFactor} are
 * divided by {@code factor}, and those between are interpolated:
 * <pre>
 *   smooth  = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor)
 *   newFreq = (1 - smooth) * freq / factor + smooth * freq
 * </pre>
 * GGUF files carry the result as the tensor {@code rope_freqs.weight}: per frequency, the divisor {@code freq / newFreq}.
 *
 * @param factor                 divisor of the lowest frequencies (8 for Llama 3.1, 32 for Llama 3.2)
 * @param lowFreqFactor          1 for Llama 3.x
 * @param highFreqFactor         4 for Llama 3.x
 * @param originalContextLength  the context length the model was pretrained with (8192 for Llama 3.x)
 */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalContextLength) {
    public RopeScaling {
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("RopeScaling.factor must be >= 1, was " + factor);
        }
        if (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor)) {
            throw new IllegalArgumentException("RopeScaling needs 0 < lowFreqFactor < highFreqFactor, was "
                    + lowFreqFactor + " and " + highFreqFactor);
        }
        if (originalContextLength <= 0) {
            throw new IllegalArgumentException("RopeScaling.originalContextLength must be > 0, was " + originalContextLength);
        }
    }

    /** The published Llama 3.2 settings: factor 32, low 1, high 4, original context 8192. */
    public static RopeScaling llama32() {
        return new RopeScaling(32, 1, 4, 8192);
    }

    /** What one angular frequency (radians per position) is divided by. */
    public double divisor(double frequency) {
        double wavelength = 2 * Math.PI / frequency;
        if (wavelength < originalContextLength / highFreqFactor) {
            return 1;
        }
        if (wavelength > originalContextLength / lowFreqFactor) {
            return factor;
        }
        double smooth = (originalContextLength / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return 1 / ((1 - smooth) / factor + smooth);
    }

    /** Divisors for the {@code headDim / 2} frequencies {@code theta^(-2i/headDim)}: the {@code rope_freqs} tensor. */
    public float[] divisors(int headDim, double theta) {
        var divisors = new float[headDim / 2];
        for (int i = 0; i < divisors.length; i++) {
            divisors[i] = (float) divisor(Math.pow(theta, -2.0 * i / headDim));
        }
        return divisors;
    }
}

package servelab.kernels.sample;

/** Picks the next token from one row of logits. */
@FunctionalInterface
public interface Sampler {
    /** The most likely token; the lowest id among equal maxima. Deterministic. */
    Sampler ARGMAX = Sampler::argmax;

    /** A token id in {@code 0..size-1} from the logits {@code logits[offset..offset+size)}. */
    int sample(float[] logits, int offset, int size);

    /** Index (relative to {@code offset}) of the largest value; the first one on ties. */
    static int argmax(float[] values, int offset, int size) {
        int best = 0;
        for (int i = 1; i < size; i++) {
            if (values[offset + i] > values[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}

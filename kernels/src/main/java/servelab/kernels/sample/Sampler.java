package servelab.kernels.sample;

/** Picks the next token from one row of logits. */
@FunctionalInterface
public interface Sampler {
    /** The most likely token; the lowest id among equal maxima. Deterministic. */
    Sampler ARGMAX = Sampler::argmax;

    /** A token id in {@code 0..size-1} from the logits {@code logits[offset..offset+size)}. */
    int sample(float[] logits, int offset, int size);

    /**
     * Index (relative to {@code offset}) of the largest value; the first one on ties.
     *
     * @throws NonFiniteLogitsException when a value is NaN: a NaN compares false with everything, so a model whose
     *                                  weights hold one answered token 0 at every position, silently; or when every
     *                                  value is -infinity (every token masked), which answered token 0 too
     */
    static int argmax(float[] values, int offset, int size) {
        int best = 0;
        boolean nan = Float.isNaN(values[offset]);
        for (int i = 1; i < size; i++) {
            float v = values[offset + i];
            nan |= v != v;
            if (v > values[offset + best]) {
                best = i;
            }
        }
        if (nan) throw NonFiniteLogitsException.in(values, offset, size);
        if (values[offset + best] == Float.NEGATIVE_INFINITY) throw NonFiniteLogitsException.allMasked(size);
        return best;
    }

    /**
     * Logits with a NaN (the model's weights, or its computation, are broken) or all -infinity (every token masked):
     * no token can be chosen honestly.
     */
    final class NonFiniteLogitsException extends IllegalStateException {
        NonFiniteLogitsException(String message) {
            super(message);
        }

        static NonFiniteLogitsException in(float[] values, int offset, int size) {
            int count = 0, first = -1;
            for (int i = 0; i < size; i++) {
                if (Float.isNaN(values[offset + i])) {
                    count++;
                    if (first < 0) first = i;
                }
            }
            return new NonFiniteLogitsException("the model's logits hold NaN (" + count + " of " + size + " tokens, "
                    + "the first token " + first + "): its weights, or what was computed from them, are not numbers");
        }

        static NonFiniteLogitsException allMasked(int size) {
            return new NonFiniteLogitsException("the model's logits are -infinity for all " + size + " tokens: no token "
                    + "can be chosen");
        }
    }
}

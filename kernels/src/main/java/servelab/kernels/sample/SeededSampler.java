package servelab.kernels.sample;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Samples with {@link SamplingParams}, drawing from its own random generator: the same seed and the same logits
 * give the same tokens. Not thread-safe (the generator is stateful); use one per sequence or per thread.
 *
 * @param params how logits become a distribution
 * @param random the source of randomness this sampler owns
 */
public record SeededSampler(SamplingParams params, RandomGenerator random) implements Sampler {
    /** A sampler whose generator is seeded with {@code seed}. */
    public static SeededSampler of(SamplingParams params, long seed) {
        return new SeededSampler(params, new SplittableRandom(seed));
    }

    @Override
    public int sample(float[] logits, int offset, int size) {
        // argmax also finds a NaN, which a draw from the probabilities would only report as "no positive probability"
        int best = Sampler.argmax(logits, offset, size);
        if (params.isGreedy()) return best;
        return draw(params.probabilities(logits, offset, size), random);
    }

    /** Inverse-CDF draw from probabilities summing to 1: the first id whose cumulative probability exceeds u. */
    public static int draw(float[] probabilities, RandomGenerator random) {
        return draw(probabilities, random.nextDouble());
    }

    /** {@link #draw(float[], RandomGenerator)} with the uniform {@code u} in [0, 1) given. */
    public static int draw(float[] probabilities, double u) {
        double cumulative = 0;
        int last = -1;
        for (int i = 0; i < probabilities.length; i++) {
            if (probabilities[i] > 0) {
                cumulative += probabilities[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        if (last < 0) {
            throw new IllegalArgumentException("no token has a positive probability");
        }
        return last; // u fell in the rounding gap above the computed total
    }
}

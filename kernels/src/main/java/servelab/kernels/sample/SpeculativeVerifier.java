package servelab.kernels.sample;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * Verification of k drafted tokens against the target model's k + 1 distributions (the target's logits at the
 * last accepted token and at each draft), in one of two ways:
 * <ul>
 *   <li>greedy match: accept drafts while each equals the target's argmax, then append the target's argmax;
 *       the output is exactly what greedy decoding of the target alone gives;</li>
 *   <li>rejection sampling (Leviathan, Kalman and Matias, "Fast Inference from Transformers via Speculative
 *       Decoding", ICML 2023, algorithm 1): accept draft {@code x} with probability {@code min(1, p(x) / q(x))};
 *       at the first rejection append a token drawn from {@code norm(max(0, p - q))}; if all k are accepted append a
 *       token drawn from the last target distribution. Every appended token is then distributed exactly as if the
 *       target had sampled it from {@code p}.</li>
 * </ul>
 * A speculator that drafts deterministically (n-gram lookup, greedy draft model) has a one-hot {@code q}; the
 * overload without draft probabilities assumes that.
 */
public final class SpeculativeVerifier {
    private SpeculativeVerifier() {}

    /**
     * Greedy verification from the target's greedy tokens alone ({@code best[i]}: the argmax of row {@code i}, for
     * {@code draft.length + 1} rows), as a device forward pass brings them back without the logits: the same result
     * as {@link #greedy(int[], float[], int, int)} on those rows.
     */
    public static Verification greedy(int[] draft, int[] best) {
        if (best.length != draft.length + 1) {
            throw new IllegalArgumentException(draft.length + " drafts need " + (draft.length + 1) + " rows, got "
                    + best.length);
        }
        for (int i = 0; i <= draft.length; i++) {
            if (i == draft.length || best[i] != draft[i]) {
                return new Verification(i, Arrays.copyOf(best, i + 1));
            }
        }
        throw new AssertionError("the loop returns at i == draft.length");
    }

    /**
     * Greedy match: {@code logits} holds k + 1 rows of {@code vocabularySize} from {@code offset}, row i being the
     * target's prediction for the position of {@code draft[i]} (row k predicts the bonus token).
     */
    public static Verification greedy(int[] draft, float[] logits, int offset, int vocabularySize) {
        int[] tokens = new int[draft.length + 1];
        for (int i = 0; i <= draft.length; i++) {
            int best = Sampler.argmax(logits, offset + i * vocabularySize, vocabularySize);
            tokens[i] = best;
            if (i == draft.length || best != draft[i]) {
                return new Verification(i, Arrays.copyOf(tokens, i + 1));
            }
        }
        throw new AssertionError("the loop returns at i == draft.length");
    }

    /**
     * Rejection sampling with the draft model's distributions: {@code target} has k + 1 rows and {@code draftProbabilities}
     * k rows, each a probability vector over the vocabulary (see {@link SamplingParams#probabilities}).
     */
    public static Verification rejection(int[] draft, float[][] draftProbabilities, float[][] target, RandomGenerator random) {
        check(draft, target);
        if (draftProbabilities.length != draft.length) {
            throw new IllegalArgumentException(draft.length + " drafts need as many draft distributions, got " + draftProbabilities.length);
        }
        int[] tokens = new int[draft.length + 1];
        for (int i = 0; i < draft.length; i++) {
            int x = draft[i];
            float p = target[i][x];
            float q = draftProbabilities[i][x];
            // accept with probability min(1, p / q), written without the division; q == 0 means x could not have been drafted
            if (q > 0 && random.nextDouble() * q < p) {
                tokens[i] = x;
                continue;
            }
            tokens[i] = SeededSampler.draw(residual(target[i], draftProbabilities[i]), random);
            return new Verification(i, Arrays.copyOf(tokens, i + 1));
        }
        tokens[draft.length] = SeededSampler.draw(target[draft.length], random);
        return new Verification(draft.length, tokens);
    }

    /** Rejection sampling for deterministic drafts: {@code q} is one-hot on each draft. */
    public static Verification rejection(int[] draft, float[][] target, RandomGenerator random) {
        check(draft, target);
        var oneHot = new float[draft.length][];
        for (int i = 0; i < draft.length; i++) {
            oneHot[i] = new float[target[i].length];
            oneHot[i][draft[i]] = 1f;
        }
        return rejection(draft, oneHot, target, random);
    }

    /**
     * Rejection sampling of deterministic drafts by drawing: position {@code i}'s token is drawn from {@code target[i]}
     * with that position's own uniform {@code uniforms[i]} (an inverse-CDF draw, as {@link SeededSampler#draw} makes
     * it), and draft {@code i} is kept when the draw equals it. For a one-hot proposal this is Leviathan et al.'s rule:
     * draft {@code x} is kept with probability {@code p(x)}, and a rejected position's token follows {@code p} without
     * {@code x}, renormalized (the residual). Since each token is what plain sampling with its position's uniform
     * draws, the output does not depend on the drafts: not on how many there were, nor on whether they were right.
     *
     * @param uniforms one per row, {@code draft.length + 1}, each in [0, 1)
     */
    public static Verification rejectionByDraw(int[] draft, float[][] target, double[] uniforms) {
        check(draft, target);
        if (uniforms.length != target.length) {
            throw new IllegalArgumentException(target.length + " rows need as many uniforms, got " + uniforms.length);
        }
        int[] tokens = new int[draft.length + 1];
        for (int i = 0; i <= draft.length; i++) {
            tokens[i] = SeededSampler.draw(target[i], uniforms[i]);
            if (i == draft.length || tokens[i] != draft[i]) return new Verification(i, Arrays.copyOf(tokens, i + 1));
        }
        throw new AssertionError("the loop returns at i == draft.length");
    }

    /** {@code norm(max(0, p - q))}; when p == q everywhere (nothing left), p itself. */
    private static float[] residual(float[] p, float[] q) {
        var r = new float[p.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            r[i] = Math.max(0f, p[i] - q[i]);
            sum += r[i];
        }
        if (sum == 0) {
            return p;
        }
        SamplingParams.normalize(r);
        return r;
    }

    private static void check(int[] draft, float[][] target) {
        if (target.length != draft.length + 1) {
            throw new IllegalArgumentException(draft.length + " drafts need " + (draft.length + 1) + " target distributions, got "
                    + target.length);
        }
    }
}

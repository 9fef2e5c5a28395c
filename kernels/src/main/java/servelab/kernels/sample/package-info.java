/**
 * Choosing tokens: {@link servelab.kernels.sample.Sampler#ARGMAX}, a
 * {@link servelab.kernels.sample.SeededSampler} applying {@link servelab.kernels.sample.SamplingParams}
 * (temperature, top-k, top-p, min-p) with its own random generator, and
 * {@link servelab.kernels.sample.SpeculativeVerifier}, which checks k drafted tokens by greedy match or by
 * rejection sampling (Leviathan et al. 2023).
 *
 * {@snippet :
 * var sampler = SeededSampler.of(new SamplingParams(0.7f, 40, 0.9f, 0.05f), seed);
 * int token = sampler.sample(logits.values(), logits.offset(s, 0), logits.vocabularySize());
 *
 * // verification of k = 3 drafts: the target's 4 logit rows of sequence s
 * var greedy = SpeculativeVerifier.greedy(drafts, logits.values(), logits.offset(s, 0), logits.vocabularySize());
 * float[][] target = new float[4][];
 * for (int j = 0; j < 4; j++) target[j] = params.probabilities(logits.values(), logits.offset(s, j), vocab);
 * Verification v = SpeculativeVerifier.rejection(drafts, draftProbabilities, target, random);
 * append(v.tokens());                                          // v.accepted() drafts plus one more
 * }
 */
package servelab.kernels.sample;

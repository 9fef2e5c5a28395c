package servelab.schedulers.common;

import java.util.List;
import java.util.SplittableRandom;

import servelab.api.ParamSpec;
import servelab.api.ParamType;
import servelab.api.Params;
import servelab.api.sched.SeqView;
import servelab.common.seed.Seeds;

/**
 * How long a sequence still has to run, in output tokens, as the length-based schedulers (sjf, ljf, srpt) rank it.
 * Choose one with the {@code key} parameter:
 *
 * <ul>
 *   <li>{@code oracle}: the true remaining output ({@link SeqView#maxOutputTokens()} less what is generated). In
 *       trace replay requests run to exactly that length, so this is perfect knowledge: an upper bound on what
 *       any predictor can give.</li>
 *   <li>{@code prompt}: the prompt length, an input-length proxy every server has. It is a size proxy for
 *       ranking, not an estimate of tokens.</li>
 *   <li>{@code noisy-oracle}: the true output length times {@code exp(noise_sigma × z)}, z a standard normal
 *       drawn per request from {@code seed}: a stand-in for a learned predictor with log-normal error (as the
 *       proxy-model and learning-to-rank length predictors of Qiu et al., 2024 and Fu et al., NeurIPS'24 are
 *       evaluated). {@code noise_sigma} 0 is the oracle.</li>
 *   <li>{@code predicted}: the engine's predictor ({@link SeqView#predictedOutputTokens()}), falling back to the
 *       prompt proxy. No predictor slot exists in the engine yet, so today this ranks exactly like
 *       {@code prompt}.</li>
 * </ul>
 *
 * <p>A new predictor is one more case here; every length-based scheduler picks it up.
 */
@FunctionalInterface
public interface LengthPredictor {
    String KEY = "key";
    String NOISE_SIGMA = "noise_sigma";
    String SEED = "seed";
    List<String> KEYS = List.of("oracle", "prompt", "noisy-oracle", "predicted");

    /** Output tokens {@code seq} is expected still to generate (a ranking proxy for {@code prompt}), &gt;= 0. */
    long remainingTokens(SeqView seq);

    /** The predictor parameters, {@code key} first, in the order {@code servelab plugins} lists them. */
    static List<ParamSpec> params() {
        return List.of(ParamSpec.ofChoice(KEY, "oracle", KEYS, "job length: oracle = true remaining output, "
                        + "prompt = prompt tokens (input-length proxy), noisy-oracle = true length x log-normal error, "
                        + "predicted = the engine's prediction when there is one, else prompt"),
                ParamSpec.ofDouble(NOISE_SIGMA, 0.5, 0.0, 5.0,
                        "noisy-oracle: sigma of the log-normal multiplicative error"),
                new ParamSpec(SEED, ParamType.LONG, 0L, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, List.of(),
                        "noisy-oracle: seed of the per-request error"));
    }

    /** The predictor {@code params} name. */
    static LengthPredictor from(Params params) {
        return switch (params.getString(KEY)) {
            case "oracle" -> LengthPredictor::oracle;
            case "prompt" -> SeqView::promptTokens;
            case "noisy-oracle" -> noisy(params.getDouble(NOISE_SIGMA), params.getLong(SEED));
            case "predicted" -> seq -> {
                var predicted = seq.predictedOutputTokens();
                return predicted.isPresent() ? Math.max(0, predicted.getAsInt() - seq.outputTokens()) : seq.promptTokens();
            };
            default -> throw new IllegalArgumentException("parameter '" + KEY + "' must be one of " + KEYS + ", was '"
                    + params.getString(KEY) + "'");
        };
    }

    private static long oracle(SeqView seq) {
        return Math.max(0, seq.maxOutputTokens() - seq.outputTokens());
    }

    /** Deterministic per request: the error depends only on the seed and the request id, never on call order. */
    private static LengthPredictor noisy(double sigma, long seed) {
        return seq -> {
            double z = new SplittableRandom(Seeds.ofPluginRequest(seed, seq.id())).nextGaussian();
            long predicted = Math.round(seq.maxOutputTokens() * Math.exp(sigma * z));
            return Math.max(0, Math.max(1, predicted) - seq.outputTokens());
        };
    }
}

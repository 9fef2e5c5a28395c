package servelab.runtime.exec;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import servelab.common.seed.Seeds;
import servelab.kernels.sample.SamplingParams;
import servelab.kernels.sample.SeededSampler;

/**
 * The sampling each request of the model executor gets: the run's ({@code model.temperature} etc., seeded by the run
 * seed) unless a served request asked for its own, as an OpenAI client does with {@code temperature}, {@code top_p},
 * {@code top_k} and {@code seed}. Shared by every replica's executor of one {@link ModelSetup}; the serving front
 * {@link #put}s a request's choice before the request reaches its replica and {@link #remove}s it when it ends.
 *
 * <p>A token's randomness is {@code Seeds.ofToken(seed, stream, position)}: with the run's sampling, seed = run seed
 * and stream = request id (requests differ from each other, as in a batch run); with a request's own {@code seed},
 * stream = 0, so the same prompt with the same seed gives the same tokens whatever its request id, as vLLM promises.
 * Either way nothing depends on the batch a request ran in.
 */
public final class RequestSampling {

    /**
     * What one request asked for; {@code null} fields take the run's value (vLLM's defaults come from the served
     * model's generation config the same way).
     *
     * @param temperature >= 0; 0 is greedy
     * @param topK        > 0, or 0 or -1 for off
     * @param topP        in (0, 1]
     * @param seed        the request's seed
     */
    public record Choice(Double temperature, Integer topK, Double topP, Double minP, Long seed) {
        public static final Choice RUN = new Choice(null, null, null, null, null);
    }

    /** A request's resolved sampling: the parameters, the seed and the stream its tokens' randomness comes from. */
    private record Resolved(SamplingParams params, long seed, boolean ownSeed) {}

    private final SamplingParams runParams;
    private final long runSeed;
    private final Map<Long, Resolved> byRequest = new ConcurrentHashMap<>();

    public RequestSampling(SamplingParams runParams, long runSeed) {
        this.runParams = runParams;
        this.runSeed = runSeed;
    }

    /**
     * Request {@code requestId} samples as {@code choice} says (fields it leaves out: the run's) until
     * {@link #remove}; a choice of nothing is not stored.
     *
     * @throws IllegalArgumentException naming the parameter that is out of range
     */
    public void put(long requestId, Choice choice) {
        if (choice.equals(Choice.RUN)) return;
        var p = new SamplingParams(
                choice.temperature() == null ? runParams.temperature() : choice.temperature().floatValue(),
                choice.topK() == null ? runParams.topK() : Math.max(0, choice.topK()),
                // a p above 0 too small for a float keeps the most likely token, as p = 1e-30 does
                choice.topP() == null ? runParams.topP() : Math.max(Float.MIN_VALUE, choice.topP().floatValue()),
                choice.minP() == null ? runParams.minP() : choice.minP().floatValue());
        byRequest.put(requestId, new Resolved(p, choice.seed() == null ? runSeed : choice.seed(), choice.seed() != null));
    }

    /** Forgets request {@code requestId}'s choice (it ended). */
    public void remove(long requestId) {
        byRequest.remove(requestId);
    }

    /** Requests with a choice of their own now (for tests: every ended request must be forgotten). */
    public int size() {
        return byRequest.size();
    }

    /** The run's parameters. */
    public SamplingParams runParams() {
        return runParams;
    }

    /** The parameters request {@code requestId} samples with. */
    SamplingParams params(long requestId) {
        var r = byRequest.get(requestId);
        return r == null ? runParams : r.params();
    }

    /** The sampler of request {@code requestId}'s token at {@code position}. */
    SeededSampler sampler(long requestId, int position) {
        var r = byRequest.get(requestId);
        if (r == null) return SeededSampler.of(runParams, Seeds.ofToken(runSeed, requestId, position));
        return SeededSampler.of(r.params(), Seeds.ofToken(r.seed(), r.ownSeed() ? 0 : requestId, position));
    }

    /**
     * The uniforms of a verification of {@code rows} rows whose first new token goes to {@code position}: each the
     * first draw of its position's sampler, the one plain sampling at that position inverts.
     */
    double[] verifyUniforms(long requestId, int position, int rows) {
        var uniforms = new double[rows];
        for (int j = 0; j < rows; j++) uniforms[j] = sampler(requestId, position + j).random().nextDouble();
        return uniforms;
    }
}

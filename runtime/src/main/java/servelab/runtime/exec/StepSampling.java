package servelab.runtime.exec;

import java.util.List;

import servelab.kernels.model.ResidentForward;
import servelab.kernels.model.SequenceChunk;
import servelab.kernels.sample.SamplingParams;
import servelab.runtime.engine.StepBatch;

/**
 * How a step's sampled rows are sampled: greedy rows take the forward pass's greedy token; on a device
 * ({@link ResidentForward}), a row whose parameters the device draws ({@link ResidentForward#drawable}: a top-k of
 * at most 64 or none, any top-p, any min-p) is drawn there with the CPU sampler's uniform for that token, and
 * a verification at a temperature alone is rejection-sampled there with the CPU verifier's uniforms ({@link #draws});
 * every other sampled row needs the logits back ({@link #needsLogits}) and is sampled on the host.
 *
 * @param onDevice    per chunk, whether its token or verification comes from the device ({@code null}: none)
 * @param draws       what the device draws, or {@code null}
 * @param needsLogits whether the step's logit rows must come back
 */
record StepSampling(boolean[] onDevice, ResidentForward.Draws draws, boolean needsLogits) {
    /** On the CPU: the logits are always there, and every sampled row is sampled from them. */
    private static final StepSampling ON_THE_HOST = new StepSampling(null, null, true);

    /** Whether chunk {@code c}'s token or verification comes from the device. */
    boolean onDevice(int c) {
        return onDevice != null && onDevice[c];
    }

    /**
     * The plan for {@code chunks} (chunk {@code c} is item {@code itemOfChunk[c]} of {@code batch}), sampled as
     * {@code sampling} says; {@code device}: the pass runs on a {@link ResidentForward}.
     */
    static StepSampling of(StepBatch batch, List<SequenceChunk> chunks, int[] itemOfChunk, RequestSampling sampling,
                           boolean device) {
        if (!device) return ON_THE_HOST;   // nothing to plan, and nothing allocated per step
        var onDevice = new boolean[chunks.size()];
        boolean needsLogits = false;
        int rows = 0;
        for (var chunk : chunks) rows += chunk.logitTokens();
        SamplingParams[] drawn = null;
        double[] uniform = null;
        ResidentForward.Verify[] verify = null;
        int row = 0;
        for (int c = 0; c < chunks.size(); c++) {
            int n = chunks.get(c).logitTokens();
            int i = itemOfChunk[c];
            var params = sampling.params(batch.seqId(i));
            int drafts = batch.draftTokens(i);
            if (n > 0 && !params.isGreedy()) {
                boolean plain = params.topK() == 0 && params.topP() >= 1f && params.minP() == 0f;
                if (drafts == 0 && ResidentForward.drawable(params)) {
                    if (drawn == null) {
                        drawn = new SamplingParams[rows];
                        uniform = new double[rows];
                    }
                    int position = batch.startPosition(i) + batch.tokens(i);
                    drawn[row] = params;
                    uniform[row] = sampling.sampler(batch.seqId(i), position).random().nextDouble();
                    onDevice[c] = true;
                } else if (plain && drafts <= ResidentForward.MAX_VERIFY_DRAFTS) {
                    if (verify == null) verify = new ResidentForward.Verify[chunks.size()];
                    // each row's position's own uniform, as ModelExecutor's host verification takes them
                    var uniforms = sampling.verifyUniforms(batch.seqId(i), batch.startPosition(i) + 1, drafts + 1);
                    verify[c] = new ResidentForward.Verify(params.temperature(), uniforms);
                    onDevice[c] = true;
                } else {
                    needsLogits = true;
                }
            }
            row += n;
        }
        if (drawn == null && verify != null) {
            drawn = new SamplingParams[rows];
            uniform = new double[rows];
        }
        var draws = drawn == null ? null : new ResidentForward.Draws(drawn, uniform, verify);
        return new StepSampling(onDevice, draws, needsLogits);
    }
}

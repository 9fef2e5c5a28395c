package servelab.plugins.batching.common;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.batch.PreemptMode;

/**
 * The limits every batcher takes as parameters, under vLLM's names, so experiment files can swap one batcher for
 * another without renaming anything.
 *
 * @param maxNumSeqs          most sequences with work in one step, and most sequences holding KV after admission
 * @param maxNumBatchedTokens most tokens computed in one step (prefill chunks plus decodes)
 * @param preemptMode         how a preempted sequence gives back its KV blocks
 * @param specDisableBatchSize verify no drafts while this many sequences or more are running (0: always verify);
 *                            vLLM's {@code speculative_disable_by_batch_size}, since speculation costs more than it
 *                            saves in a full batch
 */
public record BatchLimits(int maxNumSeqs, int maxNumBatchedTokens, PreemptMode preemptMode, int specDisableBatchSize) {
    public static final String MAX_NUM_SEQS = "max_num_seqs";
    public static final String MAX_NUM_BATCHED_TOKENS = "max_num_batched_tokens";
    public static final String PREEMPT_MODE = "preempt_mode";
    public static final String SPEC_DISABLE_BATCH_SIZE = "speculative_disable_by_batch_size";

    public BatchLimits {
        if (maxNumSeqs < 1) throw new IllegalArgumentException("BatchLimits.maxNumSeqs must be >= 1, was " + maxNumSeqs);
        if (maxNumBatchedTokens < 1) {
            throw new IllegalArgumentException("BatchLimits.maxNumBatchedTokens must be >= 1, was " + maxNumBatchedTokens);
        }
        Objects.requireNonNull(preemptMode, "BatchLimits.preemptMode (one of recompute, swap)");
        if (specDisableBatchSize < 0) {
            throw new IllegalArgumentException("BatchLimits.specDisableBatchSize must be >= 0, was " + specDisableBatchSize);
        }
    }

    /** Limits without a speculation cut-off. */
    public BatchLimits(int maxNumSeqs, int maxNumBatchedTokens, PreemptMode preemptMode) {
        this(maxNumSeqs, maxNumBatchedTokens, preemptMode, 0);
    }

    /** {@code max_num_seqs}, with a batcher's own default. */
    public static ParamSpec maxNumSeqsParam(int defaultValue) {
        return ParamSpec.ofInt(MAX_NUM_SEQS, defaultValue, 1, 1 << 20, "most sequences in one step");
    }

    /** {@code max_num_batched_tokens}, with a batcher's own default. */
    public static ParamSpec maxNumBatchedTokensParam(int defaultValue) {
        return ParamSpec.ofInt(MAX_NUM_BATCHED_TOKENS, defaultValue, 1, 1 << 24, "most tokens computed in one step");
    }

    /** {@code preempt_mode}: recompute (vLLM's default) or swap to the host tier. */
    public static ParamSpec preemptModeParam() {
        return ParamSpec.ofChoice(PREEMPT_MODE, "recompute", List.of("recompute", "swap"),
                "how a preempted sequence gives back its KV blocks");
    }

    /** {@code speculative_disable_by_batch_size}: no verification while this many sequences run (0: never off). */
    public static ParamSpec specDisableBatchSizeParam() {
        return ParamSpec.ofInt(SPEC_DISABLE_BATCH_SIZE, 0, 0, 1 << 20,
                "verify no speculative drafts while this many sequences or more are running (0: always verify)");
    }

    /** The four parameters in their usual order, for batchers that take nothing else before them. */
    public static List<ParamSpec> params(int defaultSeqs, int defaultTokens) {
        return List.of(maxNumSeqsParam(defaultSeqs), maxNumBatchedTokensParam(defaultTokens), preemptModeParam(),
                specDisableBatchSizeParam());
    }

    /** The limits from validated parameters that include the four above. */
    public static BatchLimits from(Params params) {
        return new BatchLimits(params.getInt(MAX_NUM_SEQS), params.getInt(MAX_NUM_BATCHED_TOKENS),
                PreemptMode.valueOf(params.getString(PREEMPT_MODE).toUpperCase(Locale.ROOT)),
                params.getInt(SPEC_DISABLE_BATCH_SIZE));
    }
}

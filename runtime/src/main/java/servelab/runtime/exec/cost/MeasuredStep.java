package servelab.runtime.exec.cost;

/**
 * One measured engine step: the arguments {@link CostModel#stepNanos} receives, and the time the step took.
 * A row of a measured-table CSV (columns named as the components, in snake_case).
 *
 * @param prefillTokens          tokens computed for prefilling sequences
 * @param decodeTokens           tokens computed for decoding sequences
 * @param batchSeqs              sequences in the step, at least 1
 * @param prefillAttentionPairs  (query, key) pairs of the prefill chunks
 * @param decodeContextTokens    KV tokens the decoding sequences attend to
 * @param stepMs                 measured wall time of the step, milliseconds, &gt; 0
 */
public record MeasuredStep(int prefillTokens, int decodeTokens, int batchSeqs, long prefillAttentionPairs,
                           long decodeContextTokens, double stepMs) {

    public MeasuredStep {
        if (prefillTokens < 0) throw CostProfileException.field("prefill_tokens", "must be >= 0, was " + prefillTokens);
        if (decodeTokens < 0) throw CostProfileException.field("decode_tokens", "must be >= 0, was " + decodeTokens);
        if (prefillTokens + decodeTokens < 1) {
            throw CostProfileException.field("prefill_tokens + decode_tokens", "must be >= 1 (a step computes something), was 0");
        }
        if (batchSeqs < 1) throw CostProfileException.field("batch_seqs", "must be >= 1, was " + batchSeqs);
        if (prefillAttentionPairs < 0) {
            throw CostProfileException.field("prefill_attention_pairs", "must be >= 0, was " + prefillAttentionPairs);
        }
        if (decodeContextTokens < 0) {
            throw CostProfileException.field("decode_context_tokens", "must be >= 0, was " + decodeContextTokens);
        }
        if (!(stepMs > 0) || Double.isInfinite(stepMs)) {
            throw CostProfileException.field("step_ms", "must be > 0 and finite, was " + stepMs);
        }
    }
}

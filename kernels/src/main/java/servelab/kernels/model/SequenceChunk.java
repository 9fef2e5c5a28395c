package servelab.kernels.model;

import servelab.kernels.attention.KvAddress;

/**
 * One sequence's share of a batched forward step: {@code tokens} at positions {@code startPosition,
 * startPosition + 1, ...}, whose keys and values go to (and whose attention reads from) {@code kv}. A decode is one
 * token; a prefill chunk many; a speculative verification the last token plus k drafts, asking for k + 1 logit rows.
 *
 * @param tokens        token ids, at least one; not copied, don't change during the step
 * @param startPosition position of {@code tokens[0]}; positions {@code 0..startPosition-1} must already be in the cache
 * @param kv            where this sequence's keys and values live
 * @param logitTokens   how many of the last tokens get logits: 1 for a decode or a final prefill chunk, 0 for an
 *                      earlier prefill chunk, k + 1 to verify k drafts
 */
public record SequenceChunk(int[] tokens, int startPosition, KvAddress kv, int logitTokens) {
    public SequenceChunk {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("SequenceChunk.tokens must not be empty");
        }
        if (startPosition < 0) {
            throw new IllegalArgumentException("SequenceChunk.startPosition must be >= 0, was " + startPosition);
        }
        if (logitTokens < 0 || logitTokens > tokens.length) {
            throw new IllegalArgumentException("SequenceChunk.logitTokens must be in 0.." + tokens.length + ", was " + logitTokens);
        }
    }

    /** A decode step: one token, its logits. */
    public static SequenceChunk decode(int token, int position, KvAddress kv) {
        return new SequenceChunk(new int[] {token}, position, kv, 1);
    }

    /** A prefill chunk; {@code last} asks for the logits of its final token. */
    public static SequenceChunk prefill(int[] tokens, int startPosition, KvAddress kv, boolean last) {
        return new SequenceChunk(tokens, startPosition, kv, last ? 1 : 0);
    }

    /** Position after the last token: the cache length once this chunk is stored. */
    public int endPosition() {
        return startPosition + tokens.length;
    }
}

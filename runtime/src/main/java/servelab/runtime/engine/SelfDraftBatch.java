package servelab.runtime.engine;

/**
 * The decoding sequences an executor drafts for itself (layer-skip self-speculation): sequence {@code i}'s last
 * token is at {@link #lastPosition}, not yet computed; its KV for earlier positions is in device blocks {@code
 * blockTable(i)[0 .. blockCount(i))}. The executor writes nothing it does not own except positions at or after
 * {@code lastPosition(i)}, which the engine rewrites before anything reads them. Valid during the call only.
 */
public interface SelfDraftBatch {
    int size();

    long seqId(int i);

    int lastPosition(int i);

    /** Token at {@code position} (at most {@link #lastPosition}) of sequence {@code i}. */
    int token(int i, int position);

    int[] blockTable(int i);

    int blockCount(int i);

    /** Most drafts sequence {@code i} can use (its output tokens left, less one; at most the engine's cap). */
    int maxDraftTokens(int i);

    /** Sets sequence {@code i}'s draft to {@code tokens[0 .. n)}. */
    void draft(int i, int[] tokens, int n);
}

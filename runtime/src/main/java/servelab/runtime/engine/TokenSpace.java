package servelab.runtime.engine;

/**
 * The token ids a real model accepts for prompt text it is not given. Traces carry lengths, not text, so the engine
 * makes each prompt token a deterministic function of the request (see {@link SeqTokens}); with a token space those
 * values are folded into {@code [first, first + count)}, the model's ordinary (non-special) tokens. Equal trace
 * content still gives equal ids, so prefix sharing is what the trace says.
 *
 * @param first first ordinary token id
 * @param count ordinary token ids, at least 1
 */
public record TokenSpace(int first, int count) {
    public TokenSpace {
        if (first < 0 || count < 1) {
            throw new IllegalArgumentException("TokenSpace needs first >= 0 and count >= 1, was " + first + ", " + count);
        }
    }

    /** The id a synthetic token value {@code raw} (>= 0) stands for. */
    int map(int raw) {
        return first + Integer.remainderUnsigned(raw, count);
    }
}

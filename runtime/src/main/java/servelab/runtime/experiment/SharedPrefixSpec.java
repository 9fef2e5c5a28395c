package servelab.runtime.experiment;

/**
 * Controlled prefix sharing: {@code share} of the requests start with one of {@code prompts} system prompts of
 * {@code tokens} tokens (rounded down to whole blocks of {@code blockTokens}, default 16).
 */
public record SharedPrefixSpec(int prompts, int tokens, double share, int blockTokens) {
    public SharedPrefixSpec {
        blockTokens = blockTokens == 0 ? 16 : blockTokens;
    }
}

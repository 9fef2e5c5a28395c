package servelab.runtime.experiment;

/**
 * Controlled prefix sharing: {@code share} of the requests start with one of {@code prompts} system prompts of
 * {@code tokens} tokens (rounded down to whole blocks of {@code blockTokens}, default 16).
 */
public record SharedPrefixSpec(int prompts, int tokens, double share, int blockTokens) {
    public SharedPrefixSpec {
        // checked here, where the keys are the YAML's, before a run folder exists (the transform's own checks named
        // its Java fields, after the run had started)
        String key = "trace.transforms.shared_prefix.";
        blockTokens = blockTokens == 0 ? 16 : blockTokens;
        if (prompts < 1) throw new IllegalArgumentException(key + "prompts must be >= 1 (system prompts), was " + prompts);
        if (blockTokens < 1) throw new IllegalArgumentException(key + "block_tokens must be >= 1, was " + blockTokens);
        if (tokens < blockTokens) {
            throw new IllegalArgumentException(key + "tokens must be at least block_tokens (" + blockTokens + "), was "
                    + tokens);
        }
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException(key + "share must be in (0, 1] (the share of requests that start with a"
                    + " shared prompt), was " + share);
        }
    }
}

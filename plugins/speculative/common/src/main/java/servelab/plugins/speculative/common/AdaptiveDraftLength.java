package servelab.plugins.speculative.common;

/**
 * The draft length k of one sequence, tuned from how much of its recent drafts the target model accepted, by
 * additive increase and multiplicative decrease (the rule TCP uses for its congestion window):
 *
 * <ul>
 *   <li>every draft token of the last verification accepted: k grows by 1, up to {@code maxTokens};
 *   <li>fewer than half accepted ({@code 2 * accepted < drafted}): k halves (rounded down), down to 1;
 *   <li>otherwise k stays.
 * </ul>
 *
 * <p>k starts at {@code maxTokens}: a sequence is trusted until a verification says otherwise. A halving after
 * a bad draft and a slow climb after good ones keeps a sequence whose context stops repeating from wasting
 * verification slots, and gives one that repeats again its full length back within a few steps.
 *
 * <p>It reads the sequence's cumulative verification totals ({@code SpecContext.draftedTokens/acceptedTokens})
 * and acts on the change since the last observation; when several verifications happened in between (the
 * sequence was not offered to the speculator every step), the rule sees them as one. The first observation only
 * records the totals: drafts verified before this object existed were not drafted under its k. Not thread-safe.
 */
public final class AdaptiveDraftLength {
    private final int maxTokens;
    private int tokens;
    private int draftedSeen = -1;
    private int acceptedSeen;

    /**
     * @param maxTokens the largest draft length, also the first ({@code num_speculative_tokens}, at least 1)
     */
    public AdaptiveDraftLength(int maxTokens) {
        if (maxTokens < 1) throw new IllegalArgumentException("AdaptiveDraftLength.maxTokens must be >= 1, was " + maxTokens);
        this.maxTokens = maxTokens;
        this.tokens = maxTokens;
    }

    /** The current draft length, in [1, maxTokens]. */
    public int tokens() {
        return tokens;
    }

    /**
     * Adjusts k to the verifications since the last call and returns it.
     *
     * @param draftedTotal  draft tokens of the sequence verified so far (cumulative)
     * @param acceptedTotal of those, how many were accepted (cumulative)
     */
    public int observe(int draftedTotal, int acceptedTotal) {
        int drafted = draftedTotal - draftedSeen;
        int accepted = acceptedTotal - acceptedSeen;
        boolean baseline = draftedSeen < 0 || drafted < 0 || accepted < 0; // first look, or totals that went back
        draftedSeen = draftedTotal;
        acceptedSeen = acceptedTotal;
        if (baseline || drafted == 0) return tokens;
        if (accepted >= drafted) {
            tokens = Math.min(tokens + 1, maxTokens);
        } else if (2 * accepted < drafted) {
            tokens = Math.max(1, tokens / 2);
        }
        return tokens;
    }
}

package servelab.api.spec;

import org.osgi.annotation.versioning.ProviderType;

import servelab.api.Clock;
import servelab.api.sched.SeqView;

/** What a proposer may read: the clock and a sequence's tokens so far (prompt then output). */
@ProviderType
public interface SpecContext {
    Clock clock();

    /** Token {@code index} of {@code seq} (0 ≤ index &lt; prompt + output tokens). */
    int token(SeqView seq, int index);

    /**
     * Most draft tokens {@code seq} can use now: one less than its output tokens still to come (the verification
     * always produces one token of its own), and at most the engine's fixed cap of 64 ({@code Speculation.MAX_DRAFT_TOKENS}); longer drafts are cut.
     */
    int maxDraftTokens(SeqView seq);

    /** Draft tokens of {@code seq} verified so far (cumulative over its life). */
    int draftedTokens(SeqView seq);

    /** Of {@link #draftedTokens}, how many the target model accepted. */
    int acceptedTokens(SeqView seq);
}

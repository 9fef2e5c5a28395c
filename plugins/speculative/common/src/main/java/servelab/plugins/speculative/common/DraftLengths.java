package servelab.plugins.speculative.common;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.sched.SeqView;
import servelab.api.spec.SpecContext;

/**
 * How many tokens a speculator drafts for each sequence: {@code num_speculative_tokens}, or with
 * {@code adaptive_k} a per-sequence {@link AdaptiveDraftLength} below it; always cut to what the engine will
 * verify ({@link SpecContext#maxDraftTokens}). Parameters keep vLLM's names, so experiment files can swap one
 * speculator for another without renaming anything.
 *
 * <p>Call {@link #beginCall} once per {@code propose}, then {@link #next} once for each decoding sequence. Cost:
 * O(1) per sequence; with {@code adaptive_k}, a few dozen bytes per sequence seen in the last
 * {@value #FORGET_AFTER_CALLS} to twice as many calls. Not thread-safe (one instance per replica).
 */
public final class DraftLengths {
    public static final String NUM_SPECULATIVE_TOKENS = "num_speculative_tokens";
    public static final String ADAPTIVE_K = "adaptive_k";
    /** Calls a sequence's adaptive state survives unasked: long enough to outlast most preemptions. */
    static final int FORGET_AFTER_CALLS = 4096;

    private final int maxTokens;
    private final SequenceStates<AdaptiveDraftLength> adaptive;

    /**
     * @param maxTokens  k, the most tokens drafted per sequence and step (at least 1)
     * @param isAdaptive whether each sequence's k follows {@link AdaptiveDraftLength} below {@code maxTokens}
     */
    public DraftLengths(int maxTokens, boolean isAdaptive) {
        if (maxTokens < 1) throw new IllegalArgumentException("DraftLengths.maxTokens must be >= 1, was " + maxTokens);
        this.maxTokens = maxTokens;
        this.adaptive = isAdaptive ? new SequenceStates<>(FORGET_AFTER_CALLS, id -> new AdaptiveDraftLength(maxTokens))
                : null;
    }

    /** {@code num_speculative_tokens} (k), with a speculator's own default. */
    public static ParamSpec numSpeculativeTokensParam(int defaultValue) {
        return ParamSpec.ofInt(NUM_SPECULATIVE_TOKENS, defaultValue, 1, 64,
                "draft tokens proposed per sequence and step (k); the engine cuts a draft to the tokens the sequence"
                        + " has left and to the engine's cap of 64");
    }

    /** {@code adaptive_k}: the rule of {@link AdaptiveDraftLength}, in the words {@code servelab plugins} prints. */
    public static ParamSpec adaptiveKParam() {
        return ParamSpec.ofBoolean(ADAPTIVE_K, false,
                "tune k per sequence from its last verification: start at num_speculative_tokens, +1 when every draft"
                        + " token was accepted, halved (at least 1) when fewer than half were, else unchanged");
    }

    /** The draft lengths from validated parameters that include the two above. */
    public static DraftLengths from(Params params) {
        return new DraftLengths(params.getInt(NUM_SPECULATIVE_TOKENS), params.getBoolean(ADAPTIVE_K));
    }

    /** Starts a {@code propose} call. */
    public void beginCall() {
        if (adaptive != null) adaptive.beginCall();
    }

    /** Tokens to draft for {@code seq} now, in [0, num_speculative_tokens]; 0 means draft nothing. */
    public int next(SeqView seq, SpecContext ctx) {
        int k = maxTokens;
        if (adaptive != null) k = adaptive.get(seq.id()).observe(ctx.draftedTokens(seq), ctx.acceptedTokens(seq));
        return Math.max(0, Math.min(k, ctx.maxDraftTokens(seq)));
    }
}

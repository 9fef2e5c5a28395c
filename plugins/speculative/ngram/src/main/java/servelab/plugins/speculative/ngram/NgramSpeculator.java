package servelab.plugins.speculative.ngram;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.PluginParameterException;
import servelab.api.spec.Speculator;
import servelab.plugins.speculative.common.DraftLengths;

/**
 * Prompt lookup decoding (Saxena, "Prompt Lookup Decoding", 2023; vLLM's {@code ngram} speculator): no draft
 * model, the draft is copied from the sequence's own context. For n from {@code prompt_lookup_max} down to
 * {@code prompt_lookup_min}, the last n tokens of the context (prompt then output so far) are looked up earlier in
 * the context; the first n with a match wins, and the draft is the tokens that followed the match, up to
 * {@code num_speculative_tokens} (k) and the end of the context. Works where outputs quote their inputs:
 * summarisation, code edits, retrieval-augmented answers, multi-turn chat.
 *
 * <p>Where ours differs from vLLM v1: of several occurrences of the matched n-gram we take the most recent one
 * (vLLM takes the earliest), as a recent repetition is the better guess in edited or looping text; and with
 * {@code adaptive_k} each sequence's k follows its acceptance
 * ({@link servelab.plugins.speculative.common.AdaptiveDraftLength}).
 *
 * <p>Cost per decoding sequence and step: O(t) to index the t tokens appended since the last step, then
 * O(c × prompt_lookup_max) for the c earlier occurrences of the context's last token, stopping at the first full
 * {@code prompt_lookup_max} match: a few compares on text that repeats, none on text that never does, and at worst
 * a pass over the context (a token occurring everywhere with short matches). Memory: 12-16 bytes per context token
 * of each sequence decoded in the last 64 to 128 steps. Allocates only the drafts (and the index as it grows).
 */
@Component(service = PluginFactory.class)
public final class NgramSpeculator implements PluginFactory<Speculator> {
    static final String PROMPT_LOOKUP_MAX = "prompt_lookup_max";
    static final String PROMPT_LOOKUP_MIN = "prompt_lookup_min";
    static final List<ParamSpec> PARAMS = List.of(DraftLengths.numSpeculativeTokensParam(4),
            ParamSpec.ofInt(PROMPT_LOOKUP_MAX, 4, 1, 64, "longest n-gram (context suffix) looked up; tried first"),
            ParamSpec.ofInt(PROMPT_LOOKUP_MIN, 1, 1, 64,
                    "shortest n-gram looked up when no longer one matches (at most prompt_lookup_max)"),
            DraftLengths.adaptiveKParam());
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.SPECULATOR, "ngram", "1.0.0",
            "Prompt lookup: drafts what followed the last earlier occurrence of the context's suffix (vLLM ngram).",
            PARAMS);

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Speculator create(Params params) {
        int min = params.getInt(PROMPT_LOOKUP_MIN);
        int max = params.getInt(PROMPT_LOOKUP_MAX);
        if (min > max) {
            throw new PluginParameterException("parameter '" + PROMPT_LOOKUP_MIN + "' (" + min + ") must be <= '"
                    + PROMPT_LOOKUP_MAX + "' (" + max + ") for " + DESCRIPTOR.label());
        }
        return new PromptLookupSpeculator(min, max, DraftLengths.from(params));
    }
}

package servelab.plugins.speculative.ngram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginKind;
import servelab.api.PluginParameterException;
import servelab.testkit.FakeSpecContext;

class NgramSpeculatorTest {
    private final NgramSpeculator factory = new NgramSpeculator();

    @Test
    void describesItselfAsTheNgramSpeculatorWithVllmsParameterNames() {
        var d = factory.descriptor();
        assertEquals(PluginKind.SPECULATOR, d.kind());
        assertEquals("ngram@1.0.0", d.id());
        assertEquals(List.of("num_speculative_tokens", "prompt_lookup_max", "prompt_lookup_min", "adaptive_k"),
                d.params().stream().map(ParamSpec::name).toList());
        assertEquals(List.of(4, 4, 1, false), d.params().stream().map(ParamSpec::defaultValue).toList());
    }

    @Test
    void rejectsAShortestNgramLongerThanTheLongestNamingBoth() {
        var params = params(Map.of("prompt_lookup_min", 5, "prompt_lookup_max", 3));
        var e = assertThrows(PluginParameterException.class, () -> factory.create(params));
        assertEquals("parameter 'prompt_lookup_min' (5) must be <= 'prompt_lookup_max' (3) for speculator 'ngram'",
                e.getMessage());
    }

    @Test
    void acceptsOneNgramLength() {
        var speculator = factory.create(params(Map.of("prompt_lookup_min", 3, "prompt_lookup_max", 3)));
        var ctx = new FakeSpecContext().context(1, 1, 2, 3, 9, 1, 2, 3);
        assertEquals(List.of(9, 1, 2, 3), PromptLookupSpeculatorTest.tokens(speculator.propose(List.of(ctx.seq(1)), ctx), 1));
    }

    @Test
    void rejectsADraftLengthOutsideOneToSixtyFour() {
        var e = assertThrows(PluginParameterException.class, () -> params(Map.of("num_speculative_tokens", 65)));
        assertEquals("parameter 'num_speculative_tokens' must be in [1, 64], was 65 (speculator 'ngram'; accepted: "
                + "num_speculative_tokens (int), prompt_lookup_max (int), prompt_lookup_min (int), adaptive_k (boolean))",
                e.getMessage());
    }

    static Params params(Map<String, ?> raw) {
        return Params.validate("speculator 'ngram'", NgramSpeculator.PARAMS, raw);
    }
}

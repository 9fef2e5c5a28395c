package servelab.plugins.speculative.ngram;

import java.util.List;
import java.util.Map;

import servelab.api.PluginFactory;
import servelab.api.spec.Speculator;
import servelab.testkit.SpeculatorContractTest;

class NgramSpeculatorContractTest extends SpeculatorContractTest {
    @Override
    protected PluginFactory<Speculator> factory() {
        return new NgramSpeculator();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("adaptive_k", true, "prompt_lookup_min", 2, "num_speculative_tokens", 8));
    }
}

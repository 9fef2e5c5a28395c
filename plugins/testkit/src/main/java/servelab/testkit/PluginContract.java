package servelab.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;

/**
 * What every plugin promises, whatever its kind: a descriptor of its kind with a summary and a documented default
 * for each parameter, and a policy created from its defaults and from every parameter set a test names. Each
 * kind's contract extends this; a plugin's test extends its kind's contract and names the factory.
 *
 * @param <T> the policy interface of the kind
 */
public abstract class PluginContract<T> {

    /** The plugin under test. */
    protected abstract PluginFactory<T> factory();

    /** The kind every plugin tested by this contract must declare. */
    protected abstract PluginKind kind();

    /** Parameter sets the contract is checked with: the defaults always, plus any that change the code path. */
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of());
    }

    /** A policy from {@code params}, validated against the descriptor as the host validates them. */
    protected final T create(Map<String, ?> params) {
        return TinyEngine.create(factory(), params);
    }

    /** A policy with its defaults. */
    protected final T create() {
        return create(Map.of());
    }

    @Test
    void theDescriptorNamesItsKindAndDocumentsEveryParameter() {
        var d = factory().descriptor();
        assertEquals(kind(), d.kind(), "kind of " + d.label());
        assertFalse(d.summary().isBlank(), d.label() + " needs a summary");
        for (var p : d.params()) assertTrue(p.doc().length() > 10, "parameter " + p.name() + " needs a doc");
        assertEquals(d, factory().descriptor(), "descriptor() must return equal values on every call");
        Params.defaults(d.params()); // every default is valid
    }

    @Test
    void createsAPolicyFromEveryParameterSet() {
        for (var params : parameterSets()) {
            assertTrue(kind().policyType().isInstance(create(params)), params.toString());
        }
    }
}

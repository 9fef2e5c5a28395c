package servelab.runtime.builtin;

import org.junit.jupiter.api.Nested;

import servelab.api.PluginFactory;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.testkit.AdmissionContractTest;
import servelab.testkit.RouterContractTest;

/** The built-in router and admission rule meet the contracts every router and admission bundle meets. */
class BuiltInRoutingContractsTest {
    @Nested
    class RoundRobin extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() { return new BuiltInPlugins.RoundRobin(); }
    }

    @Nested
    class AcceptAll extends AdmissionContractTest {
        @Override protected PluginFactory<Admission> factory() { return new BuiltInPlugins.AcceptAll(); }
    }
}

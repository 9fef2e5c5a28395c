package servelab.plugins.caching.contiguous;

import java.util.List;
import java.util.Map;

import servelab.api.PluginFactory;
import servelab.api.kv.KvAllocator;
import servelab.testkit.KvAllocatorContractTest;

class ContiguousKvAllocatorTest extends KvAllocatorContractTest {
    @Override
    protected PluginFactory<KvAllocator> factory() {
        return new ContiguousKvAllocator();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("reserve", "request"));
    }
}

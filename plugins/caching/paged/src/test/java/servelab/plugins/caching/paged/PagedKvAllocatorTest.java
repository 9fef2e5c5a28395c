package servelab.plugins.caching.paged;

import java.util.List;
import java.util.Map;

import servelab.api.PluginFactory;
import servelab.api.kv.KvAllocator;
import servelab.testkit.KvAllocatorContractTest;

class PagedKvAllocatorTest extends KvAllocatorContractTest {
    @Override
    protected PluginFactory<KvAllocator> factory() {
        return new PagedKvAllocator();
    }

    @Override
    protected List<Map<String, Object>> parameterSets() {
        return List.of(Map.of(), Map.of("watermark", 0.5));
    }
}

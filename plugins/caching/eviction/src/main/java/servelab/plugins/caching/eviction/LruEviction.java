package servelab.plugins.caching.eviction;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.Eviction;

/**
 * Least recently used: evicts the released block whose last use (a fill or a prefix hit) is oldest. Uses are
 * counted in the order the engine reports them, so within one request a prompt's first block is older than its
 * last, exactly as an LRU cache over the blocks in access order behaves (the definition the Mooncake trace's
 * reference statistics use). vLLM approximates this with a free list in release order.
 *
 * <p>Cost: O(log c) per release, acquire and eviction for c candidates; O(1) per use.
 */
@Component(service = PluginFactory.class)
public final class LruEviction implements PluginFactory<Eviction> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.EVICTION, "lru", "1.0.0",
            "Least recently used block first (the default).", List.of());

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Eviction create(Params params) {
        return new Policy();
    }

    static final class Policy extends HeapEviction {
        @Override
        long keyAfterUse(int block, int depth, boolean fill, long now) {
            return now;
        }
    }
}

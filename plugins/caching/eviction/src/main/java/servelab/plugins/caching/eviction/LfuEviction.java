package servelab.plugins.caching.eviction;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.Eviction;

/**
 * Least frequently used: evicts the released block with the fewest uses (its fill counts as one, each prefix hit
 * adds one), the least recently used among equals. Counts start again when a block is evicted and filled anew, and
 * never decay: a prefix that was hot an hour ago outlives one that is warm now, which is LFU's known weakness and
 * what {@code gdsf}'s clock corrects. vLLM declines to offer LFU; here it is one key.
 *
 * <p>Cost: O(log c) per release, acquire and eviction for c candidates; O(1) per use.
 */
@Component(service = PluginFactory.class)
public final class LfuEviction implements PluginFactory<Eviction> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.EVICTION, "lfu", "1.0.0",
            "Least frequently used block first (fill + hits since filled); ties by least recent use.", List.of());

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
            return fill ? 1 : key.get(block) + 1; // the key is the use count; the heap breaks ties by last use
        }
    }
}

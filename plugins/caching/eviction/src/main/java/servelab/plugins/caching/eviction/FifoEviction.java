package servelab.plugins.caching.eviction;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.Eviction;

/**
 * First in, first out: evicts the released block that was filled longest ago, whatever its hits since. The
 * baseline that shows what recency buys: a hot system prompt is evicted as soon as it is the oldest content, and
 * recomputed. A block evicted and filled again counts as new.
 *
 * <p>Cost: O(log c) per release, acquire and eviction for c candidates; O(1) per use.
 */
@Component(service = PluginFactory.class)
public final class FifoEviction implements PluginFactory<Eviction> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.EVICTION, "fifo", "1.0.0",
            "First filled, first evicted; hits do not count.", List.of());

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
            return fill ? now : key.get(block);
        }
    }
}

package servelab.plugins.caching.eviction;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import servelab.api.ParamSpec;
import servelab.api.Params;
import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.kv.Eviction;

/**
 * Least recently used. With {@code order: use} (the default) it evicts the released block whose last use (a fill or
 * a prefix hit) is oldest. Uses are counted in the order the engine reports them, so within one request a prompt's
 * first block is older than its last, exactly as an LRU cache over the blocks in access order behaves (the definition
 * the Mooncake trace's reference statistics use); a chain's head therefore goes first, and the rest of the chain stays
 * cached where no prefix lookup can reach it. With {@code order: release} it evicts the block released longest ago,
 * as vLLM v1's free block queue does: the engine releases a request's blocks tail first, so a chain is evicted from
 * its tail and its head stays reachable (SGLang's radix cache likewise evicts leaves only).
 *
 * <p>Cost: O(log c) per release, acquire and eviction for c candidates; O(1) per use.
 */
@Component(service = PluginFactory.class)
public final class LruEviction implements PluginFactory<Eviction> {
    private static final PluginDescriptor DESCRIPTOR = new PluginDescriptor(PluginKind.EVICTION, "lru", "1.0.0",
            "Least recently used block first (the default).", List.of(ParamSpec.ofChoice("order", "use",
                    List.of("use", "release"), "use: by last use, in access order (the Mooncake reference statistics'"
                            + " LRU); release: by release, a request's blocks tail first (vLLM v1's free queue)")));

    @Override
    public PluginDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public Eviction create(Params params) {
        return params.getString("order").equals("release") ? new ReleaseOrder() : new Policy();
    }

    static final class Policy extends HeapEviction {
        @Override
        long keyAfterUse(int block, int depth, boolean fill, long now) {
            return now;
        }
    }

    /** Keyed by the release: the block released longest ago goes first. */
    static final class ReleaseOrder extends HeapEviction {
        private long releases;

        @Override
        long keyAfterUse(int block, int depth, boolean fill, long now) {
            return now;
        }

        @Override
        long keyAtRelease(int block, long keyAfterUse) {
            return ++releases;
        }
    }
}
